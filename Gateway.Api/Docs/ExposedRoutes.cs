using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Api.Docs;

/// <summary>How a gateway route exposes an operation, as far as the docs are concerned.</summary>
internal enum Exposure
{
    None,
    Anonymous,
    Bearer,
}

/// <summary>
/// The YARP routes as they are now (configuration reloads change them), asked which one sends an
/// OpenAPI operation (method and path template) to a cluster: only such operations are documented.
/// Templates are compared segment by segment with the route's <c>Match.Path</c>, honouring its
/// constraints for literal segments. Hosts, header and query matchers and path transforms are not
/// considered: a route that rewrites paths documents the backend's paths, not the gateway's.
/// </summary>
internal sealed class ExposedRoutes(IProxyStateLookup proxy, ParameterPolicyFactory policies, IOptions<AuthorizationOptions> authorization)
{
    private const string AnonymousPolicy = "Anonymous";

    public RouteTable Current()
    {
        var routes = proxy.GetRoutes()
            .Select(route => route.Config)
            .Select(config => new ExposingRoute(config.ClusterId, config.Match.Methods, RoutePatternFactory.Parse(config.Match.Path ?? "/{**path}"), RequiresToken(config)))
            .ToList();
        return new RouteTable(routes, policies);
    }

    // YARP: "Anonymous" skips authorization, "Default" is the default policy, no policy means the fallback policy.
    private bool RequiresToken(RouteConfig route) => route.AuthorizationPolicy switch
    {
        null => authorization.Value.FallbackPolicy is not null,
        var name => !string.Equals(name, AnonymousPolicy, StringComparison.OrdinalIgnoreCase),
    };
}

internal sealed record ExposingRoute(string? ClusterId, IReadOnlyList<string>? Methods, RoutePattern Pattern, bool RequiresToken);

internal sealed class RouteTable(IReadOnlyList<ExposingRoute> routes, ParameterPolicyFactory policies)
{
    /// <summary>
    /// How <paramref name="method"/> <paramref name="path"/> is exposed by the routes of
    /// <paramref name="clusterId"/> (of any cluster when null): a bearer token is documented as
    /// required when any matching route requires one.
    /// </summary>
    public Exposure Of(string? clusterId, string method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var matching = routes
            .Where(route => clusterId is null || string.Equals(route.ClusterId, clusterId, StringComparison.Ordinal))
            .Where(route => route.Methods is not { Count: > 0 } methods || methods.Contains(method, StringComparer.OrdinalIgnoreCase))
            .Where(route => Matches(route.Pattern, segments))
            .ToList();
        return matching.Count == 0 ? Exposure.None
            : matching.Any(route => route.RequiresToken) ? Exposure.Bearer
            : Exposure.Anonymous;
    }

    private bool Matches(RoutePattern pattern, string[] segments)
    {
        var next = 0;
        foreach (var segment in pattern.PathSegments)
        {
            var parameter = segment.IsSimple ? segment.Parts[0] as RoutePatternParameterPart : null;
            if (parameter is { IsCatchAll: true })
            {
                var rest = segments[next..];
                return rest.Any(IsTemplated) || Satisfies(parameter, string.Join('/', rest));
            }

            if (next == segments.Length)
            {
                if (parameter is { IsOptional: true } or { Default: not null })
                {
                    continue;
                }

                return false;
            }

            if (!SegmentMatches(segment, parameter, segments[next++]))
            {
                return false;
            }
        }

        return next == segments.Length;
    }

    private bool SegmentMatches(RoutePatternPathSegment segment, RoutePatternParameterPart? parameter, string actual)
    {
        if (parameter is not null)
        {
            // A templated OpenAPI segment ({id}) stands for values the route may or may not accept: the backend documents it, so keep it.
            return IsTemplated(actual) || Satisfies(parameter, actual);
        }

        // Complex segments ({name}.{ext}) are not compared: such an operation is left out rather than guessed.
        return segment.IsSimple
            && segment.Parts[0] is RoutePatternLiteralPart literal
            && !IsTemplated(actual)
            && string.Equals(literal.Content, actual, StringComparison.OrdinalIgnoreCase);
    }

    private bool Satisfies(RoutePatternParameterPart parameter, string value)
    {
        foreach (var reference in parameter.ParameterPolicies)
        {
            if (policies.Create(parameter, reference) is IRouteConstraint constraint
                && !constraint.Match(null, null, parameter.Name, new RouteValueDictionary { [parameter.Name] = value }, RouteDirection.IncomingRequest))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsTemplated(string segment) => segment.Contains('{', StringComparison.Ordinal);
}
