using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Trading.Api.Market;

internal sealed record Quote(string Symbol, decimal Bid, decimal Ask, decimal Last, DateTimeOffset Timestamp, decimal BidSize, decimal AskSize);

/// <summary>
/// A deterministic market: each instrument's mid price is a function of (seed, symbol, tick), two
/// slow waves plus seeded noise around its base price, so quotes move over time through
/// <see cref="TimeProvider"/> and tests can move the clock to a known quote. The waves are computed
/// in floating point; every price leaves here as a decimal rounded to the instrument's tick.
/// </summary>
internal sealed class SimulatedMarket(TimeProvider time, IOptions<MarketOptions> options)
{
    public Quote Current(Instrument instrument) => At(instrument, time.GetUtcNow());

    public Quote At(Instrument instrument, DateTimeOffset moment)
    {
        var tickMs = (long)options.Value.TickInterval.TotalMilliseconds;
        var tick = moment.ToUnixTimeMilliseconds() / tickMs;
        var phase = Noise(instrument.Symbol, -1) * Math.PI;
        var wave = 0.03 * Math.Sin((2 * Math.PI * tick / 3600) + phase)
                   + 0.01 * Math.Sin((2 * Math.PI * tick / 97) + (2 * phase))
                   + 0.002 * Noise(instrument.Symbol, tick);
        var mid = instrument.BasePrice * (decimal)(1 + wave);
        var halfSpread = instrument.TickSize * 2;
        var bid = RoundToTick(mid - halfSpread, instrument.TickSize);
        var ask = bid + (2 * halfSpread);
        var size = Math.Max(instrument.LotSize, RoundToLot(instrument.TypicalSize * (decimal)(0.5 + Math.Abs(Noise(instrument.Symbol, tick + 1))), instrument.LotSize));
        return new Quote(instrument.Symbol, bid, ask, RoundToTick(mid, instrument.TickSize), DateTimeOffset.FromUnixTimeMilliseconds(tick * tickMs), size, size);
    }

    private static decimal RoundToTick(decimal price, decimal tick) => Math.Round(price / tick, MidpointRounding.ToEven) * tick;

    private static decimal RoundToLot(decimal quantity, decimal lot) => Math.Floor(quantity / lot) * lot;

    /// <summary>A seeded value in [-1, 1] for (symbol, tick).</summary>
    private double Noise(string symbol, long tick)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{options.Value.Seed}:{symbol}:{tick}"), hash);
        return (BinaryPrimitives.ReadUInt32LittleEndian(hash) / (double)uint.MaxValue * 2) - 1;
    }
}
