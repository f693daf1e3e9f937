using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PolicyChat.Server.Seeding;
using PolicyChat.Testing;

namespace PolicyChat.Browser.Tests;

/// <summary>
/// The real PolicyChat server on a loopback port (Kestrel through <see cref="WebApplicationFactory{TEntryPoint}"/>),
/// serving the real <c>wwwroot</c>, with a temporary SQLite index seeded from a small Arabic corpus (one document holds
/// script and event-handler markup), a <see cref="ScriptedOpenAiServer"/> as its language model, and Debian's Chromium
/// driven by Playwright. Fails (does not skip) when Chromium is missing.
/// </summary>
public partial class ChatPageFixture : IAsyncLifetime
{
    public const string ChromiumInstallHint = "sudo apt-get update && sudo apt-get install -y chromium fonts-hosny-amiri";

    public const string ShanghaiTitle = "شنغهاي تطلق خطة للمصادر المفتوحة";
    public const string ShanghaiOutlet = "وكالة الأنباء التجريبية";
    public const string ShanghaiSentence = "أعلنت شنغهاي خطة لإنشاء أكثر من 200 مشروع مفتوح المصدر بحلول عام 2025.";

    public const string HostileTitle = "قواعد حماية البيانات <img src=x onerror=\"window.__pwned=1;alert(1)\">";
    public const string HostileScript = "<script>window.__pwned='script';alert('script')</script>";
    public const string HostileImage = "<img src=x onerror=\"window.__pwned='img';alert('img')\">";

    private static readonly string[] s_browserArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private ScriptedOpenAiServer? _model;
    private volatile ScriptedReply _answer = ScriptedReply.Text("لا توجد إجابة مُعدّة.");

    public ChatPageFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "policychat-browser-tests", Guid.NewGuid().ToString("N"));
    }

    /// <summary>Temporary folder of this fixture (index, conversations, seed corpus).</summary>
    public string Directory { get; }

    /// <summary>Chromium used by the tests: <c>POLICYCHAT_CHROMIUM</c>, else <c>/usr/bin/chromium</c>.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("POLICYCHAT_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    public ScriptedOpenAiServer Model => _model ?? throw new InvalidOperationException("Not started.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Not started.");

    /// <summary>The server's services (to check what it stored).</summary>
    public IServiceProvider Services => _factory?.Services ?? throw new InvalidOperationException("Not started.");

    /// <summary>Folder for screenshots: <c>TestResults/screenshots</c> under the test output folder.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Settings on top of the defaults (a subclass adds API keys).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings() => [];

    /// <summary>The model's reply to the next answer prompts (prompts that carry numbered passages).</summary>
    public void AnswerWith(ScriptedReply reply) => _answer = reply;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {ChromiumPath}; the browser tests need it. Install it with `{ChromiumInstallHint}` "
                + "(or set POLICYCHAT_CHROMIUM to a Chromium binary).");
        }

        var corpus = Path.Combine(Directory, "corpus");
        System.IO.Directory.CreateDirectory(corpus);
        WriteCorpus(corpus);

        _model = await ScriptedOpenAiServer.StartAsync();
        _model.ChatHandler = Reply;
        _model.Models = ["scripted-model"];

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:Sqlite:Path"] = Path.Combine(Directory, "index.db"),
            ["Conversations:Path"] = Path.Combine(Directory, "conversations.db"),
            ["Answer:PromptsPath"] = Path.Combine(RepoRoot, "prompts"),
            ["Answer:CrossLingual"] = "false",
            ["Embedding:Endpoint"] = "",
            ["Embedding:Model"] = "",
            ["Llm:Endpoint"] = _model.BaseUrl,
            ["Llm:Model"] = "scripted-model",
            ["Server:SeedCorpusPath"] = corpus,
            ["Server:SeedOnStart"] = "true",
            ["Auth:AllowAnonymousWrites"] = "true",
            ["RateLimits:RequestsPerMinute"] = "100000",
            ["RateLimits:Burst"] = "100000",
            ["RateLimits:HubQuestionsPerMinute"] = "100000",
            ["RateLimits:HubBurst"] = "100000",
            ["RateLimits:HubConnectionsPerMinute"] = "100000",
            ["RateLimits:HubConnectionBurst"] = "100000",
            ["RateLimits:ConcurrentAnswersPerClient"] = "1000",
        };
        foreach (var (key, value) in ExtraSettings())
        {
            settings[key] = value;
        }
        var webRoot = Path.Combine(RepoRoot, "src", "PolicyChat.Server", "wwwroot");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting(WebHostDefaults.WebRootKey, webRoot);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel reported no address.");
        BaseUrl = addresses.Addresses.First().TrimEnd('/') + "/";
        await _factory.Services.GetRequiredService<SeedingStatus>().Finished.WaitAsync(TimeSpan.FromSeconds(60));

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = s_browserArgs,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_model is not null)
        {
            await _model.DisposeAsync();
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold a pooled handle; the OS cleans temp.
        }
    }

    /// <summary>A fresh browser context (own storage) and page at the chat page, in the given browser locale.</summary>
    public async Task<ChatPage> OpenAsync(string locale, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = locale,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BaseURL = BaseUrl,
        });
        // Records Content-Security-Policy violations: any attempt to run inline script or handlers shows up here.
        await context.AddInitScriptAsync(
            "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ': ' + (e.sample || e.blockedURI)));");
        var page = await context.NewPageAsync();
        var chat = new ChatPage(context, page);
        await page.GotoAsync(BaseUrl);
        await page.WaitForSelectorAsync("html[data-ready='true']");
        return chat;
    }

    private ScriptedReply Reply(RecordedRequest request)
    {
        var prompt = string.Join("\n", request.Messages.Select(m => m.Content));
        if (NumberedPassage().IsMatch(prompt))
        {
            return _answer;
        }
        // Any other prompt (a follow-up rewrite, a translation): answer with its last line, minus a "Label:" prefix.
        var last = prompt.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        var colon = last.IndexOf(':', StringComparison.Ordinal);
        return ScriptedReply.Text(colon >= 0 ? last[(colon + 1)..].Trim() : last);
    }

    private static void WriteCorpus(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "shanghai.txt"), $"""
            {ShanghaiTitle}

            {ShanghaiSentence} وتهدف الخطة إلى دعم شركات البرمجيات المحلية وتشجيع التعاون بين الجامعات والصناعة.
            وقال مسؤولون في المدينة إن الحكومة ستخصص تمويلاً لمجتمعات المطورين ومنصات استضافة الشيفرة المصدرية.
            """, Encoding.UTF8);
        File.WriteAllText(Path.Combine(folder, "hostile.txt"), $"""
            قواعد حماية البيانات في المغرب

            تفرض قواعد حماية البيانات الجديدة في المغرب على الشركات إبلاغ المستخدمين عند تسريب بياناتهم. {HostileScript} {HostileImage} وتمنح القواعد اللجنة الوطنية صلاحية فرض غرامات على المخالفين.
            """, Encoding.UTF8);
        File.WriteAllText(Path.Combine(folder, "xi-cyberspace.txt"), XiDocument(), Encoding.UTF8);
        File.WriteAllText(Path.Combine(folder, "eu-ai-act.txt"), """
            The EU AI Act enters into force

            The European Union's Artificial Intelligence Act entered into force in August 2024. It sorts AI systems by risk
            and bans some practices outright, such as social scoring by public authorities.
            """, Encoding.UTF8);
        File.WriteAllText(Path.Combine(folder, "metadata.yaml"), $"""
            shanghai.txt:
              title: "{ShanghaiTitle}"
              language: ar
              date: 2024-03-05
              outlet: "{ShanghaiOutlet}"
            hostile.txt:
              title: '{HostileTitle}'
              language: ar
              date: 2024-06-01
              outlet: '<script>window.__pwned="outlet"</script>'
            xi-cyberspace.txt:
              title: "{XiTitle}"
              language: ar
              date: 2024-11-20
              outlet: "{ShanghaiOutlet}"
            eu-ai-act.txt:
              title: The EU AI Act enters into force
              language: en
              date: 2024-08-01
              outlet: Example Wire
            """, Encoding.UTF8);
    }

    public const string XiTitle = "شي جينبينغ يتحدث عن الفضاء الإلكتروني";
    public const string XiQuote1 = "قال شي جينبينغ إن الفضاء الإلكتروني يجب أن يخضع لسيادة كل دولة، وإن على الدول أن تحترم حق بعضها في اختيار طريقها.";
    public const string XiQuote2 = "وأضاف أن الأمن والتنمية في الفضاء الإلكتروني وجهان لعملة واحدة، وأن الحوكمة تحتاج إلى تعاون دولي.";

    /// <summary>A long Arabic document (several passages) that names Xi Jinping and cyberspace in Latin letters too.</summary>
    private static string XiDocument()
    {
        var filler = "وتناول الخطاب دور المنصات الرقمية في الاقتصاد، وضرورة حماية البيانات الشخصية للمواطنين، وتطوير البنية التحتية للاتصالات في المدن والأرياف. ";
        var paragraphs = new[]
        {
            $"{XiQuote1} (Xi Jinping, cyberspace) " + string.Concat(Enumerable.Repeat(filler, 5)),
            $"{XiQuote2} (Xi Jinping, cyberspace) " + string.Concat(Enumerable.Repeat(filler, 5)),
            "وختم شي جينبينغ (Xi Jinping) كلمته عن الفضاء الإلكتروني (cyberspace) بالدعوة إلى مؤتمر عالمي سنوي للإنترنت. " + string.Concat(Enumerable.Repeat(filler, 5)),
        };
        return XiTitle + "\n\n" + string.Join("\n\n", paragraphs) + "\n";
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyChat.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("PolicyChat.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\[1\]", RegexOptions.Multiline)]
    private static partial Regex NumberedPassage();
}

/// <summary>The same server with an API key required for the hub and the REST API, and an administrator key for writes.</summary>
public sealed class SecuredChatPageFixture : ChatPageFixture
{
    public const string UserKey = "browser-user-key-0123456789abcdef";
    public const string AdminKey = "browser-admin-key-0123456789abcdef";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings() => [new("Auth:ApiKeys:0", UserKey), new("Auth:AdminKeys:0", AdminKey), new("Auth:AllowAnonymousWrites", "false")];
}

/// <summary>The same server with no model server running at its configured endpoint (the default out of the box).</summary>
public sealed class NoModelChatPageFixture : ChatPageFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings() => [new("Llm:Endpoint", ClosedPortUrl())];

    private static string ClosedPortUrl()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }
}

/// <summary>One browser page on the chat page, with what it saw: dialogs, page errors and CSP violations.</summary>
public sealed class ChatPage : IAsyncDisposable
{
    private readonly List<string> _dialogs = [];
    private readonly List<string> _errors = [];
    private readonly List<string> _consoleErrors = [];

    public ChatPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Dialog += (_, dialog) =>
        {
            lock (_dialogs)
            {
                _dialogs.Add(dialog.Message);
            }
            _ = dialog.DismissAsync();
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add(error);
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public IReadOnlyList<string> Dialogs
    {
        get
        {
            lock (_dialogs)
            {
                return [.. _dialogs];
            }
        }
    }

    public IReadOnlyList<string> PageErrors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Errors logged to the browser console (failed requests, CSP reports, SignalR errors).</summary>
    public IReadOnlyList<string> ConsoleErrors
    {
        get
        {
            lock (_consoleErrors)
            {
                return [.. _consoleErrors];
            }
        }
    }

    public ILocator Question => Page.Locator("#question");

    public ILocator Assistant => Page.Locator("li.message-assistant").Last;

    public ILocator Panel => Page.Locator("#sources-panel");

    /// <summary>Types the question and presses Enter.</summary>
    public async Task AskAsync(string question)
    {
        await Question.FillAsync(question);
        await Question.PressAsync("Enter");
    }

    /// <summary>Waits until the last answer is no longer streaming and returns its final state (done, stopped, error).</summary>
    public async Task<string> WaitForAnswerAsync(float timeoutMs = 30_000)
    {
        await Page.WaitForSelectorAsync("li.message-assistant:last-child:not([data-state='streaming'])", new PageWaitForSelectorOptions { Timeout = timeoutMs });
        return await Assistant.GetAttributeAsync("data-state") ?? "";
    }

    public async Task<string> ScreenshotAsync(string name)
    {
        System.IO.Directory.CreateDirectory(ChatPageFixture.ScreenshotDirectory);
        var path = Path.Combine(ChatPageFixture.ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
