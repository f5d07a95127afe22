using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Microsoft.Extensions.Hosting;

/// <summary>SHA-256 of a token: an in-process cache keyed by it never holds a bearer token itself.</summary>
internal readonly record struct TokenHash(UInt128 First, UInt128 Second)
{
    private const int StackLimit = 4096;

    public static TokenHash Of(string token)
    {
        var length = Encoding.UTF8.GetMaxByteCount(token.Length);
        var rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            var bytes = rented ?? stackalloc byte[StackLimit];
            var written = Encoding.UTF8.GetBytes(token, bytes);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..written], digest);
            var halves = MemoryMarshal.Cast<byte, UInt128>(digest);
            return new TokenHash(halves[0], halves[1]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
