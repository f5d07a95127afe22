using System.ComponentModel.DataAnnotations;

namespace Identity.Api.Sessions;

/// <summary>Options of section <c>Identity:Revocations</c>.</summary>
internal sealed class RevocationOptions
{
    public const string Section = "Identity:Revocations";

    /// <summary>How often revocations the cache missed are tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(2);
}
