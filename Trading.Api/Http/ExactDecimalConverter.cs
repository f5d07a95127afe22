using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trading.Api.Http;

/// <summary>
/// Reads a JSON number into a <see cref="decimal"/> only when the decimal is exactly the number
/// the client wrote. The framework rounds to decimal's 28–29 significant digits (so
/// <c>1.000000000000000000000000000001</c> became 1) and a money system never rounds what a
/// client sent: a number that does not fit is an <see cref="InexactNumberException"/>, which
/// <see cref="JsonBody"/> answers with a 422 naming the field.
/// </summary>
internal sealed class ExactDecimalConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.Number => Encoding.ASCII.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            JsonTokenType.String when options.NumberHandling.HasFlag(JsonNumberHandling.AllowReadingFromString) => NumberInString(reader.GetString()!),
            _ => null,
        };
        if (text is null)
        {
            // The framework's own error for a value of another type (a 400 naming the path).
            return reader.GetDecimal();
        }

        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && Canonical(text) == Canonical(value.ToString(CultureInfo.InvariantCulture))
            ? value
            : throw new InexactNumberException();
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

    // A quoted number is held to the JSON number grammar, as the framework's reader holds it.
    private static string NumberInString(string quoted)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(quoted));
        return reader.Read() && reader.TokenType == JsonTokenType.Number && !reader.Read()
            ? quoted
            : throw new JsonException("The value is not a number.");
    }

    /// <summary>The sign, the significant digits and the power of ten of the last one: equal exactly when the numbers are.</summary>
    private static (bool Negative, string Digits, long Exponent) Canonical(string number)
    {
        var split = number.IndexOfAny(['e', 'E']);
        var mantissa = split < 0 ? number.AsSpan() : number.AsSpan(0, split);
        // An exponent too long for a long is far outside decimal's range either way.
        var exponent = split < 0 ? 0
            : long.TryParse(number.AsSpan(split + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var e) ? e
            : number[split + 1] == '-' ? long.MinValue / 2 : long.MaxValue / 2;
        var negative = number[0] == '-';
        mantissa = mantissa.TrimStart('-');
        var point = mantissa.IndexOf('.');
        var digits = point < 0 ? mantissa.ToString() : string.Concat(mantissa[..point], mantissa[(point + 1)..]);
        exponent -= point < 0 ? 0 : mantissa.Length - point - 1;
        var leading = digits.TrimStart('0');
        var significant = leading.TrimEnd('0');
        return significant.Length == 0 ? (false, string.Empty, 0) : (negative, significant, exponent + leading.Length - significant.Length);
    }
}

/// <summary>A JSON number that <see cref="decimal"/> cannot hold exactly (too many digits, too small or too large).</summary>
internal sealed class InexactNumberException() : JsonException("The number cannot be held exactly.");
