using Xunit.Abstractions;
using Xunit.Sdk;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>
/// Marks the concrete test class of a store-agnostic contract suite as needing an environment variable (a live server).
/// When the variable is unset, every <see cref="ContractFactAttribute"/> test of that class is reported as skipped with
/// <see cref="Reason"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequiresEnvironmentAttribute(string variable, string reason) : Attribute
{
    public string Variable { get; } = variable;

    public string Reason { get; } = reason;

    /// <summary>The skip reason for <paramref name="testClass"/>, or null when it may run.</summary>
    public static string? SkipReasonFor(Type testClass)
    {
        var requirement = testClass.GetCustomAttributes(typeof(RequiresEnvironmentAttribute), inherit: false).OfType<RequiresEnvironmentAttribute>().FirstOrDefault();
        return requirement is not null && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(requirement.Variable))
            ? $"{requirement.Variable} is not set: {requirement.Reason}"
            : null;
    }
}

/// <summary>
/// A fact of an abstract contract suite. Attributes on inherited methods cannot know the concrete class, so a custom
/// discoverer sets Skip per concrete class from its <see cref="RequiresEnvironmentAttribute"/>.
/// </summary>
[XunitTestCaseDiscoverer("PolicyChat.Core.Tests.Storage.ContractFactDiscoverer", "PolicyChat.Core.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractFactAttribute : FactAttribute
{
}

public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        new ContractTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
}

public sealed class ContractTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public ContractTestCase()
    {
    }

    public ContractTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        base.GetSkipReason(factAttribute) ?? RequiresEnvironmentAttribute.SkipReasonFor(TestMethod.TestClass.Class.ToRuntimeType())!;
}

/// <summary>A fact that needs a live Qdrant: skipped with a clear reason unless POLICYCHAT_QDRANT_URL is set.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class QdrantLiveFactAttribute : FactAttribute
{
    public const string Variable = "POLICYCHAT_QDRANT_URL";

    public QdrantLiveFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: set it to a live Qdrant gRPC URL (e.g. http://localhost:6334, key in POLICYCHAT_QDRANT_API_KEY) to run this test.";
        }
    }
}
