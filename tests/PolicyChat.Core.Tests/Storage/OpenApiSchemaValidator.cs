using System.Globalization;
using System.Text.Json;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>
/// Validates JSON against the schemas of an OpenAPI 3.0 document (Qdrant's openapi-v1.19.json): $ref into
/// components/schemas, type, format (uint/uint32/uint64/int64/float/double/uuid), minimum/maximum, enum, nullable,
/// properties/required/additionalProperties, items, minItems/maxItems, uniqueItems, anyOf/oneOf/allOf.
/// OpenAPI 3.0 semantics: <c>nullable: true</c> admits null; a schema that is nothing but <c>nullable</c> (Qdrant's
/// <c>anyOf: [X, {nullable: true}]</c> idiom) admits only null. Stricter than the spec in one way, to catch typos:
/// an object schema that lists <c>properties</c> and says nothing about additionalProperties rejects unknown keys.
/// (JsonSchema.Net does not restore from the mirror here, and it would treat the nullable idiom as "anything".)
/// </summary>
internal sealed class OpenApiSchemaValidator
{
    private static readonly HashSet<string> s_constraintKeys =
    [
        "type", "$ref", "anyOf", "oneOf", "allOf", "properties", "required", "additionalProperties", "items", "enum", "format",
        "minimum", "maximum", "minItems", "maxItems", "uniqueItems",
    ];

    private readonly JsonDocument _document;

    private OpenApiSchemaValidator(JsonDocument document) => _document = document;

    public JsonElement Root => _document.RootElement;

    public static OpenApiSchemaValidator Load(string path) => new(JsonDocument.Parse(File.ReadAllBytes(path)));

    public JsonElement Schema(string name) => Root.GetProperty("components").GetProperty("schemas").GetProperty(name);

    public List<string> Validate(JsonElement instance, JsonElement schema, string path = "$")
    {
        var errors = new List<string>();
        Check(instance, schema, path, errors, strictObjects: true);
        return errors;
    }

    public JsonElement Resolve(JsonElement schema)
    {
        var guard = 0;
        while (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
        {
            var pointer = reference.GetString()!;
            if (!pointer.StartsWith("#/", StringComparison.Ordinal) || ++guard > 64)
            {
                throw new InvalidOperationException("Unsupported $ref " + pointer);
            }
            var node = Root;
            foreach (var part in pointer[2..].Split('/'))
            {
                node = node.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
            }
            schema = node;
        }
        return schema;
    }

    private void Check(JsonElement value, JsonElement schema, string path, List<string> errors, bool strictObjects)
    {
        if (schema.ValueKind == JsonValueKind.True || schema.ValueKind == JsonValueKind.Undefined)
        {
            return;
        }
        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: no value is allowed here");
            return;
        }
        schema = Resolve(schema);
        var nullable = schema.TryGetProperty("nullable", out var n) && n.ValueKind == JsonValueKind.True;
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (nullable)
            {
                return;
            }
            if (!HasConstraints(schema))
            {
                return;
            }
            var composite = false;
            foreach (var keyword in new[] { "anyOf", "oneOf", "allOf" })
            {
                if (schema.TryGetProperty(keyword, out var alternatives))
                {
                    composite = true;
                    if (keyword == "allOf")
                    {
                        foreach (var part in alternatives.EnumerateArray())
                        {
                            Check(value, part, path, errors, strictObjects: false);
                        }
                    }
                    else
                    {
                        CheckAlternatives(value, alternatives, path, errors, exactlyOne: keyword == "oneOf");
                    }
                }
            }
            if (!composite)
            {
                errors.Add($"{path}: null is not allowed");
            }
            return;
        }
        if (nullable && !HasConstraints(schema))
        {
            errors.Add($"{path}: only null is allowed here (got {value.ValueKind})");
            return;
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var part in allOf.EnumerateArray())
            {
                Check(value, part, path, errors, strictObjects: false);
            }
        }
        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            CheckAlternatives(value, anyOf, path, errors, exactlyOne: false);
        }
        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            CheckAlternatives(value, oneOf, path, errors, exactlyOne: true);
        }
        if (schema.TryGetProperty("enum", out var enumValues))
        {
            var raw = value.GetRawText();
            if (!enumValues.EnumerateArray().Any(e => JsonElement.DeepEquals(e, value)))
            {
                errors.Add($"{path}: {raw} is not one of {enumValues.GetRawText()}");
            }
        }
        if (schema.TryGetProperty("type", out var typeElement))
        {
            var type = typeElement.GetString();
            if (!CheckType(value, type, path, errors))
            {
                return;
            }
        }
        if (schema.TryGetProperty("format", out var format) && value.ValueKind is JsonValueKind.Number or JsonValueKind.String)
        {
            CheckFormat(value, format.GetString()!, path, errors);
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (schema.TryGetProperty("minimum", out var min) && value.GetDouble() < min.GetDouble())
            {
                errors.Add($"{path}: {value.GetRawText()} is below the minimum {min.GetRawText()}");
            }
            if (schema.TryGetProperty("maximum", out var max) && value.GetDouble() > max.GetDouble())
            {
                errors.Add($"{path}: {value.GetRawText()} is above the maximum {max.GetRawText()}");
            }
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            CheckObject(value, schema, path, errors, strictObjects);
        }
        if (value.ValueKind == JsonValueKind.Array)
        {
            CheckArray(value, schema, path, errors);
        }
    }

    private static bool HasConstraints(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.EnumerateObject().Any(p => s_constraintKeys.Contains(p.Name));

    private void CheckAlternatives(JsonElement value, JsonElement alternatives, string path, List<string> errors, bool exactlyOne)
    {
        var matches = 0;
        List<string>? best = null;
        foreach (var alternative in alternatives.EnumerateArray())
        {
            var branchErrors = new List<string>();
            Check(value, alternative, path, branchErrors, strictObjects: true);
            if (branchErrors.Count == 0)
            {
                matches++;
            }
            else if (best is null || branchErrors.Count < best.Count)
            {
                best = branchErrors;
            }
        }
        if (matches == 0)
        {
            errors.Add($"{path}: matches none of the {(exactlyOne ? "oneOf" : "anyOf")} alternatives; closest: {string.Join("; ", best ?? [])}");
        }
        else if (exactlyOne && matches > 1)
        {
            errors.Add($"{path}: matches {matches} oneOf alternatives, exactly one is required");
        }
    }

    private static bool CheckType(JsonElement value, string? type, string path, List<string> errors)
    {
        var ok = type switch
        {
            "object" => value.ValueKind == JsonValueKind.Object,
            "array" => value.ValueKind == JsonValueKind.Array,
            "string" => value.ValueKind == JsonValueKind.String,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "number" => value.ValueKind == JsonValueKind.Number,
            "integer" => value.ValueKind == JsonValueKind.Number && IsInteger(value),
            _ => true,
        };
        if (!ok)
        {
            errors.Add($"{path}: expected {type}, got {Describe(value)}");
        }
        return ok;
    }

    private static bool IsInteger(JsonElement value) =>
        value.TryGetInt64(out _) || value.TryGetUInt64(out _)
        || (decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d)
            && !value.GetRawText().Contains('.', StringComparison.Ordinal) && !value.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase));

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "number " + value.GetRawText(),
        JsonValueKind.String => "string " + value.GetRawText(),
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static void CheckFormat(JsonElement value, string format, string path, List<string> errors)
    {
        string? problem = format switch
        {
            "uint64" or "uint" or "uint32" or "uint16" or "uint8" when value.ValueKind == JsonValueKind.Number =>
                !value.TryGetUInt64(out var u) ? "not a non-negative integer"
                : format == "uint32" && u > uint.MaxValue ? "exceeds uint32"
                : format == "uint16" && u > ushort.MaxValue ? "exceeds uint16"
                : format == "uint8" && u > byte.MaxValue ? "exceeds uint8"
                : null,
            "int64" when value.ValueKind == JsonValueKind.Number => value.TryGetInt64(out _) ? null : "not an int64",
            "int32" when value.ValueKind == JsonValueKind.Number => value.TryGetInt32(out _) ? null : "not an int32",
            "float" when value.ValueKind == JsonValueKind.Number =>
                float.IsFinite((float)value.GetDouble()) ? null : "not representable as a 32-bit float",
            "double" when value.ValueKind == JsonValueKind.Number => double.IsFinite(value.GetDouble()) ? null : "not a finite double",
            "uuid" when value.ValueKind == JsonValueKind.String => Guid.TryParse(value.GetString(), out _) ? null : "not a UUID",
            _ => null,
        };
        if (problem is not null)
        {
            errors.Add($"{path}: {value.GetRawText()} is {problem} (format {format})");
        }
    }

    private void CheckObject(JsonElement value, JsonElement schema, string path, List<string> errors, bool strictObjects)
    {
        var hasProperties = schema.TryGetProperty("properties", out var properties);
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray())
            {
                if (!value.TryGetProperty(name.GetString()!, out _))
                {
                    errors.Add($"{path}: required property '{name.GetString()}' is missing");
                }
            }
        }
        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            var childPath = path + "." + property.Name;
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Check(property.Value, propertySchema, childPath, errors, strictObjects: true);
            }
            else if (additional.ValueKind == JsonValueKind.False || (additional.ValueKind == JsonValueKind.Undefined && hasProperties && strictObjects))
            {
                errors.Add($"{childPath}: unknown property '{property.Name}'");
            }
            else if (additional.ValueKind == JsonValueKind.Object)
            {
                Check(property.Value, additional, childPath, errors, strictObjects: true);
            }
        }
    }

    private void CheckArray(JsonElement value, JsonElement schema, string path, List<string> errors)
    {
        var length = value.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var minItems) && length < minItems.GetInt32())
        {
            errors.Add($"{path}: fewer than {minItems.GetInt32()} items");
        }
        if (schema.TryGetProperty("maxItems", out var maxItems) && length > maxItems.GetInt32())
        {
            errors.Add($"{path}: more than {maxItems.GetInt32()} items");
        }
        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in value.EnumerateArray())
            {
                if (!seen.Add(item.GetRawText()))
                {
                    errors.Add($"{path}: duplicate item {item.GetRawText()}");
                }
            }
        }
        if (schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(item, items, $"{path}[{i++}]", errors, strictObjects: true);
            }
        }
    }
}
