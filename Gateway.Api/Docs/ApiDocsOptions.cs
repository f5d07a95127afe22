using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Docs;

/// <summary>Where the backends' OpenAPI documents are fetched and how long the merged one is kept.</summary>
internal sealed class ApiDocsOptions
{
    public const string Section = "Gateway:ApiDocs";

    /// <summary>The path every backend serves its OpenAPI document at (Microsoft.AspNetCore.OpenApi's default).</summary>
    [Required]
    [RegularExpression("^/.*")]
    public string BackendDocumentPath { get; set; } = "/openapi/v1.json";

    /// <summary>How long a merged document is served before it is rebuilt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How soon to rebuild when a backend could not be reached for the last build.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one backend may take to answer: a slow one is left out, not waited for.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan BackendTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
