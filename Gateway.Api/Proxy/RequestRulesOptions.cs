using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Proxy;

/// <summary>
/// The defaults of the per-route request rules that <see cref="RouteRules"/> enforces, for routes
/// that set none. In section <c>Gateway:Edge</c> next to the other edge settings, reloaded on change.
/// </summary>
internal sealed class RequestRulesOptions
{
    public const string Section = "Gateway:Edge";

    /// <summary>Request body limit for routes that set none (64 KiB).</summary>
    [Range(1, long.MaxValue)]
    public long DefaultMaxRequestBodySize { get; set; } = 64 * 1024;

    /// <summary>Media types a body may have when a route names none.</summary>
    [MinLength(1)]
    public string[] DefaultContentTypes { get; set; } = ["application/json"];
}
