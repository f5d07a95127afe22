namespace Identity.Api.Events;

internal static class EventsExtensions
{
    public static IHostApplicationBuilder AddSecurityEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<SecurityEvents>();
        return builder;
    }
}
