using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trading.Api.Http;

internal static class JsonExtensions
{
    /// <summary>
    /// snake_case names and enum values, as the public API spells them; decimals stay JSON numbers
    /// (never floating point on this side). Also the OpenAPI document.
    /// </summary>
    public static IHostApplicationBuilder AddTradingJson(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            options.SerializerOptions.MaxDepth = 16;
        });
        builder.Services.AddOpenApi();
        return builder;
    }
}
