using System.Text.Json.Nodes;

namespace Gateway.Api.Docs;

/// <summary>References into an OpenAPI document's components (<c>#/components/{kind}/{name}</c>), found and renamed.</summary>
internal static class ComponentReferences
{
    private const string ComponentsPrefix = "#/components/";

    /// <summary>A copy of <paramref name="node"/> whose references follow <paramref name="renames"/>.</summary>
    public static JsonNode Rewritten(JsonNode node, Dictionary<(string Kind, string Name), string> renames)
    {
        var copy = node.DeepClone();
        Rewrite(copy, renames);
        return copy;
    }

    public static void Rewrite(JsonNode node, Dictionary<(string Kind, string Name), string> renames)
    {
        foreach (var (owner, property, value) in In(node).ToList())
        {
            if (Parse(value) is { } key && renames.TryGetValue(key, out var name))
            {
                owner[property] = $"{ComponentsPrefix}{key.Kind}/{name}";
            }
        }
    }

    /// <summary>The references into components in <paramref name="node"/>, with where each one is written.</summary>
    public static IEnumerable<(JsonObject Owner, string Property, string Value)> In(JsonNode? node) => In(node, inMapping: false);

    // "$ref" values, and the values of discriminator mappings (which name schemas by reference too).
    private static IEnumerable<(JsonObject Owner, string Property, string Value)> In(JsonNode? node, bool inMapping)
    {
        IEnumerable<(JsonObject? Owner, string Key, JsonNode? Value)> children = node switch
        {
            JsonObject obj => obj.Select(property => (Owner: (JsonObject?)obj, property.Key, property.Value)),
            JsonArray array => array.Select(item => (Owner: (JsonObject?)null, Key: string.Empty, Value: item)),
            _ => [],
        };
        foreach (var (owner, key, value) in children)
        {
            if (owner is not null && (key == "$ref" || inMapping) && value is JsonValue text && text.TryGetValue<string>(out var reference) && reference.StartsWith(ComponentsPrefix, StringComparison.Ordinal))
            {
                yield return (owner, key, reference);
            }
            else
            {
                foreach (var found in In(value, inMapping: key == "mapping"))
                {
                    yield return found;
                }
            }
        }
    }

    public static (string Kind, string Name)? Parse(string reference)
    {
        if (!reference.StartsWith(ComponentsPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = reference[ComponentsPrefix.Length..].Split('/');
        return parts.Length == 2 ? (parts[0], parts[1].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)) : null;
    }
}
