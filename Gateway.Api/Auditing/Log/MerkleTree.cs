using System.Numerics;
using System.Security.Cryptography;

namespace Gateway.Api.Auditing;

/// <summary>
/// The tree hashing of RFC 9162 §2.1: a leaf is <c>SHA-256(0x00 || leaf bytes)</c>, an interior
/// node <c>SHA-256(0x01 || left || right)</c>, and a tree of n leaves splits at the largest power
/// of two below n. Also the shapes of its proofs: which leaf ranges an inclusion proof (§2.1.3.1)
/// or a consistency proof (§2.1.4.1) is made of, as ranges whose hashes the log then reads.
/// </summary>
internal static class MerkleTree
{
    public const int HashSize = 32;
    public const byte LeafPrefix = 0x00;
    public const byte NodePrefix = 0x01;

    /// <summary>The root of the empty tree: the hash of no bytes.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + (2 * HashSize)];
        input[0] = NodePrefix;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        return SHA256.HashData(input);
    }

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n ≥ 2).</summary>
    public static long Split(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    /// <summary>
    /// The ranges whose hashes form the inclusion proof of leaf <paramref name="leaf"/> in the tree
    /// of size <paramref name="size"/>, in proof order (the leaf's sibling first).
    /// </summary>
    public static List<LeafRange> InclusionRanges(long leaf, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leaf);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leaf, size);
        var siblings = new List<LeafRange>();
        var (start, end) = (0L, size);
        while (end - start > 1)
        {
            var k = Split(end - start);
            if (leaf < start + k)
            {
                siblings.Add(new LeafRange(start + k, end));
                end = start + k;
            }
            else
            {
                siblings.Add(new LeafRange(start, start + k));
                start += k;
            }
        }

        siblings.Reverse();
        return siblings;
    }

    /// <summary>
    /// The ranges whose hashes form the consistency proof from the tree of size <paramref name="first"/>
    /// to the tree of size <paramref name="second"/> (RFC 9162's SUBPROOF), in proof order. Empty when
    /// <paramref name="first"/> is 0 or equals <paramref name="second"/>.
    /// </summary>
    public static List<LeafRange> ConsistencyRanges(long first, long second)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, second);
        var outer = new List<LeafRange>();
        if (first == 0 || first == second)
        {
            return outer;
        }

        var (start, end, m, whole) = (0L, second, first, true);
        while (m != end - start)
        {
            var k = Split(end - start);
            if (m <= k)
            {
                outer.Add(new LeafRange(start + k, end));
                end = start + k;
            }
            else
            {
                outer.Add(new LeafRange(start, start + k));
                start += k;
                m -= k;
                whole = false;
            }
        }

        outer.Reverse();
        if (!whole)
        {
            outer.Insert(0, new LeafRange(start, end));
        }

        return outer;
    }

    /// <summary>
    /// The perfect subtrees a range is made of, largest first: the tree over the range is these,
    /// folded from the right. Ranges from the proofs above always start on a boundary of their size.
    /// </summary>
    public static List<Subtree> Decompose(LeafRange range)
    {
        var parts = new List<Subtree>();
        var start = range.Start;
        while (start < range.End)
        {
            var level = 63 - BitOperations.LeadingZeroCount((ulong)(range.End - start));
            if (start != 0)
            {
                level = Math.Min(level, BitOperations.TrailingZeroCount(start));
            }

            parts.Add(new Subtree(level, start >> level));
            start += 1L << level;
        }

        return parts;
    }

    /// <summary>The root over perfect subtrees given largest first (what a compact range holds).</summary>
    public static byte[] FoldRight(IReadOnlyList<byte[]> subtrees)
    {
        if (subtrees.Count == 0)
        {
            return EmptyRoot();
        }

        var hash = subtrees[^1];
        for (var i = subtrees.Count - 2; i >= 0; i--)
        {
            hash = NodeHash(subtrees[i], hash);
        }

        return hash;
    }
}

/// <summary>Leaves <c>[Start, End)</c>.</summary>
internal readonly record struct LeafRange(long Start, long End);

/// <summary>The perfect subtree over leaves <c>[Index · 2^Level, (Index + 1) · 2^Level)</c>.</summary>
internal readonly record struct Subtree(int Level, long Index);

/// <summary>
/// The right edge of the tree (a compact range): one perfect subtree per set bit of the size,
/// largest first. Appending a leaf merges equal subtrees like a binary counter carries, and each
/// merge completes a subtree that is then final; the root is the subtrees folded from the right.
/// </summary>
internal sealed class MerkleFrontier
{
    private readonly List<byte[]> _subtrees;

    private MerkleFrontier(long size, List<byte[]> subtrees)
    {
        Size = size;
        _subtrees = subtrees;
    }

    public long Size { get; private set; }

    public static MerkleFrontier Empty() => new(0, []);

    /// <summary>The form stored with the log head: the subtree hashes in lowercase hex, concatenated.</summary>
    public static MerkleFrontier Parse(long size, string hex)
    {
        var subtrees = new List<byte[]>();
        var bytes = Convert.FromHexString(hex);
        for (var i = 0; i < bytes.Length; i += MerkleTree.HashSize)
        {
            subtrees.Add(bytes[i..(i + MerkleTree.HashSize)]);
        }

        if (subtrees.Count != BitOperations.PopCount((ulong)size))
        {
            throw new FormatException($"A tree of {size} leaves has {BitOperations.PopCount((ulong)size)} subtrees on its right edge, not {subtrees.Count}.");
        }

        return new MerkleFrontier(size, subtrees);
    }

    public override string ToString() => string.Concat(_subtrees.Select(Convert.ToHexStringLower));

    /// <summary>Adds the next leaf; <paramref name="completed"/> hears of every subtree this completes above level 0.</summary>
    public void Append(byte[] leafHash, Action<Subtree, byte[]>? completed = null)
    {
        _subtrees.Add(leafHash);
        var (level, index) = (0, Size);
        while (((Size >> level) & 1) == 1)
        {
            var merged = MerkleTree.NodeHash(_subtrees[^2], _subtrees[^1]);
            _subtrees.RemoveRange(_subtrees.Count - 2, 2);
            _subtrees.Add(merged);
            level++;
            index >>= 1;
            completed?.Invoke(new Subtree(level, index), merged);
        }

        Size++;
    }

    public byte[] Root() => MerkleTree.FoldRight(_subtrees);
}
