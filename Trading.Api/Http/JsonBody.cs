using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Trading.Api.Http;

/// <summary>
/// Reads a JSON body with answers a client can act on: 415 for another media type, 413 over the
/// size limit, 400 naming the JSON path for malformed JSON, wrong types or unknown fields, 422
/// naming the field for a number that would have to be rounded.
/// </summary>
internal sealed class JsonBody(IOptions<JsonOptions> options)
{
    public JsonSerializerOptions SerializerOptions => options.Value.SerializerOptions;

    // Bodies only: responses and the OpenAPI document keep the framework's decimal (a number schema).
    private readonly JsonSerializerOptions _reading = new(options.Value.SerializerOptions) { Converters = { new ExactDecimalConverter() } };

    public async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request) where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Make(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Unsupported media type", "Send the body as application/json."));
        }

        try
        {
            var value = await request.ReadFromJsonAsync<T>(_reading, request.HttpContext.RequestAborted);
            return value is null
                ? (null, Problems.BadRequest("malformed_json", "The body must be a JSON object."))
                : (value, null);
        }
        catch (InexactNumberException ex)
        {
            // A well-formed number the API would have to round: the field is wrong, not the JSON.
            return (null, Problems.Field(ex.Path is ['$', '.', .. var field] ? field : ex.Path ?? "$",
                "Not a number this API holds exactly: at most 28 decimals and 29 significant digits. Amounts are never rounded."));
        }
        catch (JsonException ex)
        {
            // The message names the path and the expectation (e.g. "$.quantity"), never server internals.
            return (null, Problems.BadRequest("malformed_json", $"The body is not valid for this operation at {ex.Path ?? "$"}: {Describe(ex)}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.Make(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "Payload too large", "The body exceeds the size limit of this route."));
        }
    }

    private static string Describe(JsonException ex) => ex.InnerException switch
    {
        OverflowException => "a number is out of range.",
        FormatException or InvalidOperationException => "a value has the wrong type.",
        _ when ex.Message.Contains("could not be mapped", StringComparison.Ordinal) => "unknown field.",
        _ => "malformed JSON or a value of the wrong type.",
    };
}
