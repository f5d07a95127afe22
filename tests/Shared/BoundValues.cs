using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace AspireGateway.Tests;

/// <summary>
/// Every query-string and route value of every handler a service maps, found in its endpoint data
/// source (so a route added tomorrow is walked too), each sent a value it cannot hold.
/// </summary>
internal static class BoundValues
{
    /// <summary>Not a number, an id, a date, a flag or a listed value of any parameter here.</summary>
    public const string Junk = "abc";

    /// <summary>One request: <paramref name="Parameter"/> carries <see cref="Junk"/>, every other route value a well-formed one.</summary>
    public sealed record Probe(string Method, string Path, string Parameter, bool Typed)
    {
        public override string ToString() => $"{Method} {Path} ({Parameter})";
    }

    public static IReadOnlyList<Probe> Walk(IServiceProvider services) =>
    [
        .. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetMetadata<MethodInfo>() is not null)
            .SelectMany(Probes),
    ];

    /// <summary>Sends every probe with the client that may call its route; one line per probe that failed.</summary>
    public static async Task<List<string>> FailuresAsync(IEnumerable<Probe> probes, Func<Probe, HttpClient> client)
    {
        var failures = new List<string>();
        foreach (var probe in probes)
        {
            failures.AddRange(await FailureAsync(client(probe), probe) is { } failure ? [failure] : []);
        }

        return failures;
    }

    /// <summary>
    /// Sends the probe: no 5xx ever; a typed value that cannot bind is a 400; and every 400 is a
    /// problem document that names the parameter.
    /// </summary>
    private static async Task<string?> FailureAsync(HttpClient client, Probe probe)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(probe.Method), probe.Path));
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (status >= 500 || (probe.Typed && response.StatusCode != HttpStatusCode.BadRequest)
            || status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden)
        {
            return $"{probe}: {status} {body}";
        }

        if (response.StatusCode != HttpStatusCode.BadRequest)
        {
            return null;
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{probe}: 400 is not a problem document: {body}";
        }

        var problem = JsonDocument.Parse(body).RootElement;
        var complete = new[] { "type", "title", "status", "detail", "traceId" }.All(field => problem.TryGetProperty(field, out _));
        var names = problem.GetProperty("detail").GetString()!.Contains(probe.Parameter, StringComparison.Ordinal)
            || (problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(probe.Parameter, out _));
        return complete && names ? null : $"{probe}: the 400 problem does not name the parameter or misses a field: {body}";
    }

    private static IEnumerable<Probe> Probes(RouteEndpoint endpoint)
    {
        var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? HttpMethods.Get;
        var routeValues = endpoint.RoutePattern.Parameters.Select(parameter => parameter.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, type) in Parameters(endpoint.Metadata.GetMetadata<MethodInfo>()!, routeValues))
        {
            var typed = (Nullable.GetUnderlyingType(type) ?? type) != typeof(string);
            yield return routeValues.Contains(name)
                ? new Probe(method, Path(endpoint.RoutePattern, name), name, typed)
                : new Probe(method, Path(endpoint.RoutePattern, null) + $"?{name}={Junk}", name, typed);
        }
    }

    private static IEnumerable<(string Name, Type Type)> Parameters(MethodInfo handler, HashSet<string> routeValues)
    {
        foreach (var parameter in handler.GetParameters())
        {
            if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                foreach (var property in parameter.ParameterType.GetProperties())
                {
                    if (property.GetCustomAttribute<FromQueryAttribute>() is { } query)
                    {
                        yield return (query.Name ?? property.Name, property.PropertyType);
                    }
                }
            }
            else if (parameter.GetCustomAttribute<FromQueryAttribute>() is { } query)
            {
                yield return (query.Name ?? parameter.Name!, parameter.ParameterType);
            }
            else if (routeValues.Contains(parameter.Name!) || IsQueryValue(parameter))
            {
                yield return (parameter.Name!, parameter.ParameterType);
            }
        }
    }

    // The framework binds a parameter with no attribute from the query string when its type is
    // text or parses from text; services, HttpContext and tokens do neither.
    private static bool IsQueryValue(ParameterInfo parameter)
    {
        if (parameter.GetCustomAttributes().Any(attribute => attribute is FromServicesAttribute or FromBodyAttribute or FromHeaderAttribute or FromFormAttribute))
        {
            return false;
        }

        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        return type == typeof(string) || type.IsEnum || type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), type.MakeByRefType()]) is not null;
    }

    private static string Path(RoutePattern pattern, string? junkFor) => "/" + string.Join('/', pattern.PathSegments.Select(segment =>
        string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter when parameter.Name.Equals(junkFor, StringComparison.OrdinalIgnoreCase) => Junk,
            RoutePatternParameterPart => Guid.NewGuid().ToString(),
            _ => string.Empty,
        }))));
}
