using System.Text.Json.Nodes;

namespace Gateway.Api.Docs;

/// <summary>
/// Grows one OpenAPI 3.x document (as JSON) with the operations of others: only those a gateway
/// route exposes and the document does not describe yet, with the components they reference
/// (renamed <c>source.Name</c> when two services give one name to different things). Servers are
/// dropped: a backend's own address is an internal name, clients call the gateway.
/// </summary>
internal sealed class OpenApiMerger(JsonObject document)
{
    public const string BearerScheme = "Bearer";
    private const string SecuritySchemes = "securitySchemes";
    private static readonly HashSet<string> Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    public JsonObject Document => document;

    /// <param name="sourceName">Prefix for renamed components, e.g. the cluster id.</param>
    /// <param name="source">An OpenAPI 3.x document; it is not modified.</param>
    /// <param name="exposure">How the gateway exposes (method, path); <see cref="Exposure.None"/> leaves the operation out.</param>
    public void Add(string sourceName, JsonObject source, Func<string, string, Exposure> exposure)
    {
        var paths = KeptPaths(source, exposure);
        if (paths.Count == 0)
        {
            return;
        }

        var components = source["components"] as JsonObject;
        var needed = Referenced(paths, components);
        var renames = Renames(sourceName, needed, components);
        ComponentReferences.Rewrite(paths, renames);
        foreach (var key in needed)
        {
            var group = Child(Child(document, "components"), key.Kind);
            group.TryAdd(renames.GetValueOrDefault(key, key.Name), ComponentReferences.Rewritten(Component(components, key)!, renames));
        }

        var target = Child(document, "paths");
        foreach (var (path, item) in paths)
        {
            var existing = Child(target, path);
            foreach (var (key, value) in (JsonObject)item!)
            {
                existing.TryAdd(key, value?.DeepClone());
            }
        }

        AddTags(source, paths);
    }

    private JsonObject KeptPaths(JsonObject source, Func<string, string, Exposure> exposure)
    {
        var kept = new JsonObject();
        foreach (var (path, node) in source["paths"] as JsonObject ?? [])
        {
            var item = new JsonObject();
            foreach (var (key, value) in node as JsonObject ?? [])
            {
                if (!Methods.Contains(key))
                {
                    if (key is not "servers" and not "$ref")
                    {
                        item[key] = value?.DeepClone();
                    }
                }
                else if (value is JsonObject operation && !Describes(path, key) && exposure(key.ToUpperInvariant(), path) is var how and not Exposure.None)
                {
                    var copy = (JsonObject)operation.DeepClone();
                    copy.Remove("servers");
                    Secure(copy, how, source["security"]);
                    item[key] = copy;
                }
            }

            if (item.Any(property => Methods.Contains(property.Key)))
            {
                kept[path] = item;
            }
        }

        return kept;
    }

    private bool Describes(string path, string method) =>
        document["paths"] is JsonObject paths && paths[path] is JsonObject item && item.ContainsKey(method);

    // The gateway enforces authentication, so its route decides what the docs say about tokens.
    private static void Secure(JsonObject operation, Exposure how, JsonNode? sourceSecurity)
    {
        if (how == Exposure.Bearer)
        {
            operation["security"] = new JsonArray(new JsonObject { [BearerScheme] = new JsonArray() });
            var responses = Child(operation, "responses");
            responses.TryAdd("401", new JsonObject { ["description"] = "Missing, invalid, expired or revoked access token." });
            responses.TryAdd("403", new JsonObject { ["description"] = "The access token lacks the role or scope this operation needs." });
            responses.TryAdd("503", new JsonObject { ["description"] = "The shared cache cannot confirm a DPoP proof's single use, or a change cannot be checked against session revocations: retry after `Retry-After` seconds (with a new proof)." });
        }
        else if (!operation.ContainsKey("security") && sourceSecurity is not null)
        {
            operation["security"] = sourceSecurity.DeepClone();
        }
    }

    private static HashSet<(string Kind, string Name)> Referenced(JsonObject paths, JsonObject? components)
    {
        var found = new HashSet<(string Kind, string Name)>();
        var pending = new Queue<JsonNode>([paths]);
        while (pending.TryDequeue(out var node))
        {
            foreach (var reference in ComponentReferences.In(node))
            {
                if (ComponentReferences.Parse(reference.Value) is { } key && Component(components, key) is { } target && found.Add(key))
                {
                    pending.Enqueue(target);
                }
            }
        }

        // Security requirements name their schemes instead of referencing them.
        var schemes = paths.SelectMany(path => (JsonObject)path.Value!)
            .Where(operation => Methods.Contains(operation.Key))
            .SelectMany(operation => operation.Value?["security"] as JsonArray ?? [])
            .SelectMany(requirement => requirement as JsonObject ?? [])
            .Select(requirement => (SecuritySchemes, requirement.Key));
        found.UnionWith(schemes.Where(key => Component(components, key) is not null));
        return found;
    }

    // Repeats until stable: renaming one schema changes every schema that references it.
    private Dictionary<(string Kind, string Name), string> Renames(string sourceName, HashSet<(string Kind, string Name)> needed, JsonObject? components)
    {
        var renames = new Dictionary<(string Kind, string Name), string>();
        var ours = document["components"] as JsonObject;
        var prefix = string.Concat(sourceName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var key in needed.Where(key => key.Kind != SecuritySchemes && !renames.ContainsKey(key)))
            {
                if (Component(ours, key) is { } existing && !JsonNode.DeepEquals(existing, ComponentReferences.Rewritten(Component(components, key)!, renames)))
                {
                    var name = $"{prefix}.{key.Name}";
                    for (var n = 2; Component(ours, (key.Kind, name)) is not null || renames.ContainsValue(name); n++)
                    {
                        name = $"{prefix}.{key.Name}{n}";
                    }

                    renames[key] = name;
                    changed = true;
                }
            }
        }

        return renames;
    }

    private static JsonNode? Component(JsonObject? components, (string Kind, string Name) key) =>
        components?[key.Kind] is JsonObject group ? group[key.Name] : null;

    private void AddTags(JsonObject source, JsonObject paths)
    {
        var used = paths.SelectMany(path => (JsonObject)path.Value!)
            .Where(operation => Methods.Contains(operation.Key))
            .SelectMany(operation => operation.Value?["tags"] as JsonArray ?? [])
            .Select(Text)
            .ToHashSet(StringComparer.Ordinal);
        var tags = document["tags"] as JsonArray ?? (JsonArray)(document["tags"] = new JsonArray());
        var known = tags.Select(tag => Text((tag as JsonObject)?["name"])).ToHashSet(StringComparer.Ordinal);
        foreach (var tag in source["tags"] as JsonArray ?? [])
        {
            if (Text((tag as JsonObject)?["name"]) is { } name && used.Contains(name) && known.Add(name))
            {
                tags.Add(tag!.DeepClone());
            }
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static JsonObject Child(JsonObject parent, string name) =>
        parent[name] as JsonObject ?? (JsonObject)(parent[name] = new JsonObject());
}
