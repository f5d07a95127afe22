using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AspireGateway.Tests;

/// <summary>What an OpenAPI document tells its reader in prose.</summary>
internal static partial class OpenApiText
{
    /// <summary>
    /// Every summary and description that sends the reader to a document outside this one (a
    /// project page, a numbered section of one); a standard named with its section (RFC 6749 §5.2) is not that.
    /// </summary>
    public static List<string> OutsideReferences(string document)
    {
        var found = new List<string>();
        Walk(JsonNode.Parse(document), found);
        return found;
    }

    private static void Walk(JsonNode? node, List<string> found)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    if (name is "summary" or "description" && value is JsonValue text && text.TryGetValue<string>(out var prose) && OutsideReference().IsMatch(prose))
                    {
                        found.Add(prose);
                    }

                    Walk(value, found);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(item, found);
                }

                break;
        }
    }

    [GeneratedRegex(@"CONTRACT|\.md\b|(?<!RFC \d+ )§", RegexOptions.IgnoreCase)]
    private static partial Regex OutsideReference();
}
