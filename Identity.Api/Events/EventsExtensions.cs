namespace Identity.Api.Events;

internal static class EventsExtensions
{
    public static IHostApplicationBuilder AddSecurityEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<SecurityEvents>();
        builder.Services.AddSingleton<SecurityEventMetrics>();
        builder.Services.AddAuthorizationBuilder().AddPolicy(SecurityEventFeed.Policy, SecurityEventFeed.Require);
        builder.Services.AddOpenIddict().AddValidation(validation => validation.AddEventHandler(SecurityEventFeedAudience.Descriptor));
        return builder;
    }

    public static RouteGroupBuilder MapSecurityEvents(this IEndpointRouteBuilder routes)
    {
        // Internal only: the gateway routes no /internal/* path; its audit puller calls identity directly.
        var group = routes.MapGroup("/internal").RequireAuthorization(SecurityEventFeed.Policy).ExcludeFromDescription();
        group.MapGet("/security-events", SecurityEventFeed.ReadAsync);
        return group;
    }
}
