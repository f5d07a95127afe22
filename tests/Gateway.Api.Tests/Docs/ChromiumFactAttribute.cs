namespace Gateway.Api.Tests.Docs;

/// <summary>
/// A fact that needs Debian's chromium (installed by <c>.ci/run</c>); on a machine without it the
/// test is reported as skipped, with the reason, rather than passing without having run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ExecutablePath))
        {
            Skip = $"{ExecutablePath} is not installed (apt-get install -y chromium; .ci/run does it).";
        }
    }
}
