using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AspireGateway.Tests;

namespace Gateway.Api.Tests.Auditing;

/// <summary>
/// The independent log verifier against proofs made here by a naive reference of RFC 9162 §2.1
/// (PATH, PROOF and SUBPROOF as the RFC writes them) over random trees of 1..70 leaves.
/// </summary>
public sealed class IndependentLogVerifierTests
{
    private const int MaxSize = 70;
    private const string Time = "2026-12-02T05:00:00.123Z";

    [Fact]
    public void TheTreeHashAndLeafHashAreTheOnesOfRfc9162()
    {
        var leaves = RandomLeaves(MaxSize);

        for (var n = 0; n <= MaxSize; n++)
            Assert.Equal(Mth(leaves.AsSpan(0, n)), IndependentLogVerifier.TreeHash(leaves[..n]));
        Assert.Equal(Convert.FromHexString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), IndependentLogVerifier.TreeHash([]));
        Assert.Equal(SHA256.HashData([0x00, 0x61, 0x62]), IndependentLogVerifier.LeafHash("ab"u8.ToArray()));
    }

    [Fact]
    public void EveryLeafOfEveryTreeSizeIsProvenAndEveryAlteredProofIsRefused()
    {
        var leaves = RandomLeaves(MaxSize);
        var roots = RootsOfEveryPrefix(leaves);
        static bool Verifies(long index, long size, byte[] leaf, IReadOnlyList<byte[]> auditPath, byte[] root) =>
            IndependentLogVerifier.VerifyInclusion(index, size, leaf, auditPath, root);

        for (var n = 1; n <= MaxSize; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var path = Path(m, leaves.AsSpan(0, n));

                Assert.True(Verifies(m, n, leaves[m], path, roots[n]), $"leaf {m} of {n}");
                for (var i = 0; i < path.Count; i++)
                    Assert.False(Verifies(m, n, leaves[m], [.. path[..i], Flip(path[i]), .. path[(i + 1)..]], roots[n]), $"leaf {m} of {n}, element {i} flipped");
                if (path.Count > 0)
                    Assert.False(Verifies(m, n, leaves[m], path[..^1], roots[n]), $"leaf {m} of {n}, last element dropped");
                Assert.False(Verifies(m, n, leaves[m], [.. path, roots[n]], roots[n]), $"leaf {m} of {n}, element added");
                Assert.False(Verifies(m, n, Flip(leaves[m]), path, roots[n]), $"leaf {m} of {n}, leaf flipped");
                Assert.False(Verifies(m, n, leaves[m], path, Flip(roots[n])), $"leaf {m} of {n}, root flipped");
                Assert.False(Verifies(n, n, leaves[m], path, roots[n]), $"leaf {m} of {n} claimed at index {n}");
                if (n > 1)
                {
                    var other = (m + 1 + RandomNumberGenerator.GetInt32(n - 1)) % n;
                    Assert.False(Verifies(other, n, leaves[m], path, roots[n]), $"leaf {m} of {n} claimed at index {other}");
                }
                // A wrong size is checked with that size's root: an audit path alone does not pin the size
                // (leaf 0's path in a tree of 3 also fits the shape of a tree of 4); the signed root does.
                if (n < MaxSize)
                    Assert.False(Verifies(m, n + 1, leaves[m], path, roots[n + 1]), $"leaf {m} of {n} claimed in {n + 1}");
                if (n - 1 > m)
                    Assert.False(Verifies(m, n - 1, leaves[m], path, roots[n - 1]), $"leaf {m} of {n} claimed in {n - 1}");
                // Below a power of two n, a tree of n + 1 to 2n leaves has the same path plus one element.
                foreach (var larger in CutShort(n))
                    Assert.False(Verifies(m, larger, leaves[m], path, roots[n]), $"leaf {m} of {n} claimed in {larger} with a path cut short");
            }
        }
    }

    [Fact]
    public void EveryPairOfTreeSizesIsProvenConsistentAndEveryAlteredProofIsRefused()
    {
        var leaves = RandomLeaves(MaxSize);
        var roots = RootsOfEveryPrefix(leaves);
        static bool Verifies(long first, long second, byte[] firstRoot, byte[] secondRoot, IReadOnlyList<byte[]> consistency) =>
            IndependentLogVerifier.VerifyConsistency(first, second, firstRoot, secondRoot, consistency);

        for (var n = 1; n <= MaxSize; n++)
        {
            for (var m = 0; m <= n; m++)
            {
                var proof = Proof(m, leaves.AsSpan(0, n));

                Assert.True(Verifies(m, n, roots[m], roots[n], proof), $"{m} to {n}");
                if (m < n)
                    Assert.False(Verifies(n, m, roots[n], roots[m], proof), $"{m} to {n} backwards");
                for (var i = 0; i < proof.Count; i++)
                    Assert.False(Verifies(m, n, roots[m], roots[n], [.. proof[..i], Flip(proof[i]), .. proof[(i + 1)..]]), $"{m} to {n}, element {i} flipped");
                if (proof.Count > 0)
                    Assert.False(Verifies(m, n, roots[m], roots[n], proof[..^1]), $"{m} to {n}, last element dropped");
                Assert.False(Verifies(m, n, roots[m], roots[n], [.. proof, roots[n]]), $"{m} to {n}, element added");
                Assert.False(Verifies(m, n, Flip(roots[m]), roots[n], proof), $"{m} to {n}, first root flipped");
                if (m > 0) // every tree extends the empty one, whatever its root
                {
                    Assert.False(Verifies(m, n, roots[m], Flip(roots[n]), proof), $"{m} to {n}, second root flipped");
                    if (n < MaxSize)
                        Assert.False(Verifies(m, n + 1, roots[m], roots[n + 1], proof), $"{m} to {n} claimed to {n + 1}");
                }
                if (m > 0)
                {
                    foreach (var larger in CutShort(n))
                        Assert.False(Verifies(m, larger, roots[m], roots[n], proof), $"{m} to {n} claimed to {larger} with a proof cut short");
                }
                if (m > 1)
                    Assert.False(Verifies(m - 1, n, roots[m - 1], roots[n], proof), $"{m} to {n} claimed from {m - 1}");
                if (m < n && (m > 0 || n > 1)) // (an empty proof does take 1 to 1)
                    Assert.False(Verifies(m + 1, n, roots[m + 1], roots[n], proof), $"{m} to {n} claimed from {m + 1}");
            }
        }
    }

    [Fact]
    public void ASignedCheckpointIsReadWithItsLogSizeRootAndTime()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var root = RandomLeaves(1)[0];

        var checkpoint = IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 42, root), LogId(key));

        Assert.NotNull(checkpoint);
        Assert.Equal(LogId(key), checkpoint.LogId);
        Assert.Equal(42, checkpoint.TreeSize);
        Assert.Equal(root, checkpoint.RootHash);
        Assert.Equal(Time, checkpoint.Time);
        Assert.NotNull(IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 0, SHA256.HashData([]))));
    }

    [Fact]
    public void ACheckpointWithAnAlteredSizeRootOrTimeIsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var root = RandomLeaves(1)[0];

        Assert.Null(IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 42, root, json => json["tree_size"] = 43)));
        Assert.Null(IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 42, root, json => json["root_hash"] = Convert.ToHexStringLower(Flip(root)))));
        Assert.Null(IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 42, root, json => json["time"] = "2026-12-02T05:00:00.124Z")));
        Assert.Null(IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 42, root, json => json["signature"] = Convert.ToBase64String(Flip(Convert.FromBase64String((string)json["signature"]))))));
    }

    [Fact]
    public void ACheckpointOfAnotherKeyOrNamingAnotherLogIsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var root = RandomLeaves(1)[0];
        var otherKey = Convert.ToBase64String(other.ExportSubjectPublicKeyInfo());

        Assert.Null(IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 42, root, json => json["public_key"] = otherKey)));
        Assert.Null(IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 42, root, json =>
        {
            json["public_key"] = otherKey;
            json["log_id"] = LogId(other);
        })));
        Assert.Null(IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 42, root, logId: LogId(other))));
        Assert.Null(IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 42, root), LogId(other)));
    }

    [Fact]
    public void ProofsInTheGatewaysJsonAreCheckedAgainstTheCheckpointsTheyName()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leaves = RandomLeaves(MaxSize);
        var roots = RootsOfEveryPrefix(leaves);
        var older = IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, 9, roots[9]))!;
        var newer = IndependentLogVerifier.ReadCheckpoint(CheckpointJson(key, MaxSize, roots[MaxSize]))!;
        var foreign = IndependentLogVerifier.ReadCheckpoint(CheckpointJson(other, MaxSize, roots[MaxSize]))!;
        JsonElement Inclusion(string name = "tree_size", object? value = null) => Json(new()
        {
            ["log_id"] = LogId(key), ["leaf_index"] = 5, ["tree_size"] = 9, ["leaf_hash"] = Convert.ToHexStringLower(leaves[5]),
            ["audit_path"] = Path(5, leaves.AsSpan(0, 9)).Select(Convert.ToHexStringLower).ToArray(),
        }, name, value);
        JsonElement Consistency(string name = "first", object? value = null) => Json(new()
        {
            ["log_id"] = LogId(key), ["first"] = 9, ["second"] = MaxSize,
            ["proof"] = Proof(9, leaves.AsSpan()).Select(Convert.ToHexStringLower).ToArray(),
        }, name, value);
        var (inclusion, consistency) = (Inclusion(), Consistency());

        Assert.True(IndependentLogVerifier.VerifyInclusion(inclusion, older));
        Assert.False(IndependentLogVerifier.VerifyInclusion(inclusion, newer));
        Assert.False(IndependentLogVerifier.VerifyInclusion(inclusion, older with { LogId = LogId(other) }));
        Assert.False(IndependentLogVerifier.VerifyInclusion(Inclusion("tree_size", 10), older));
        Assert.False(IndependentLogVerifier.VerifyInclusion(Inclusion("leaf_index", 6), older));
        Assert.False(IndependentLogVerifier.VerifyInclusion(Inclusion("log_id", LogId(other)), older));
        Assert.True(IndependentLogVerifier.VerifyConsistency(consistency, older, newer));
        Assert.False(IndependentLogVerifier.VerifyConsistency(consistency, newer, older));
        Assert.False(IndependentLogVerifier.VerifyConsistency(Consistency("first", 8), older, newer));
        Assert.False(IndependentLogVerifier.VerifyConsistency(Consistency("second", MaxSize - 1), older, newer));
        Assert.False(IndependentLogVerifier.VerifyConsistency(Consistency("log_id", LogId(other)), older, newer));
        Assert.False(IndependentLogVerifier.VerifyConsistency(consistency, older, foreign));
        Assert.False(IndependentLogVerifier.VerifyConsistency(consistency, older, newer with { RootHash = roots[MaxSize - 1] }));
    }

    // --- RFC 9162 §2.1, as written there, over leaf hashes ---

    private static byte[] Mth(ReadOnlySpan<byte[]> d) => d.Length switch
    {
        0 => SHA256.HashData([]),
        1 => d[0],
        _ => Node(Mth(d[..K(d.Length)]), Mth(d[K(d.Length)..])),
    };

    /// <summary>PATH(m, D[n]), §2.1.3.1.</summary>
    private static List<byte[]> Path(int m, ReadOnlySpan<byte[]> d)
    {
        if (d.Length == 1)
            return [];
        var k = K(d.Length);
        return m < k ? [.. Path(m, d[..k]), Mth(d[k..])] : [.. Path(m - k, d[k..]), Mth(d[..k])];
    }

    /// <summary>PROOF(m, D[n]) = SUBPROOF(m, D[n], true), §2.1.4.1; empty for m = 0 and m = n.</summary>
    private static List<byte[]> Proof(int m, ReadOnlySpan<byte[]> d) => m == 0 || m == d.Length ? [] : Subproof(m, d, true);

    private static List<byte[]> Subproof(int m, ReadOnlySpan<byte[]> d, bool b)
    {
        if (m == d.Length)
            return b ? [] : [Mth(d)];
        var k = K(d.Length);
        return m <= k ? [.. Subproof(m, d[..k], b), Mth(d[k..])] : [.. Subproof(m - k, d[k..], false), Mth(d[..k])];
    }

    /// <summary>For a power of two n, n + 1 and 2n (within the trees built), whose proofs begin with n's.</summary>
    private static IEnumerable<int> CutShort(int n) => (n & (n - 1)) == 0 ? new[] { n + 1, 2 * n }.Where(size => size <= MaxSize) : [];

    /// <summary>The largest power of two less than n.</summary>
    private static int K(int n)
    {
        var k = 1;
        while (k * 2 < n)
            k *= 2;
        return k;
    }

    private static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    // --- test data ---

    /// <summary>Leaf hashes of random leaves of 0 to 40 bytes.</summary>
    // Distinct by construction (the index is part of each leaf): two equal sibling leaves would let a
    // proof claim either index, and empty random contents made that happen in about one run in fifty.
    private static byte[][] RandomLeaves(int count) =>
        [.. Enumerable.Range(0, count).Select(i => SHA256.HashData([0x00, (byte)i, .. RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(41))]))];

    private static byte[][] RootsOfEveryPrefix(byte[][] leaves) => [.. Enumerable.Range(0, leaves.Length + 1).Select(n => Mth(leaves.AsSpan(0, n)))];

    /// <summary>A copy with one random byte changed.</summary>
    private static byte[] Flip(byte[] bytes)
    {
        var copy = bytes.ToArray();
        copy[RandomNumberGenerator.GetInt32(copy.Length)] ^= (byte)RandomNumberGenerator.GetInt32(1, 256);
        return copy;
    }

    private static string LogId(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>A checkpoint signed by key as the gateway serves it, then altered; logId is the one the signed text names.</summary>
    private static JsonElement CheckpointJson(ECDsa key, long size, byte[] root, Action<Dictionary<string, object>>? alter = null, string? logId = null)
    {
        logId ??= LogId(key);
        var text = $"audit-checkpoint/v1\nlog {logId}\nsize {size.ToString(CultureInfo.InvariantCulture)}\nroot {Convert.ToHexStringLower(root)}\ntime {Time}\n";
        var signature = key.SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var json = new Dictionary<string, object>
        {
            ["log_id"] = logId, ["tree_size"] = size, ["root_hash"] = Convert.ToHexStringLower(root), ["time"] = Time,
            ["signature"] = Convert.ToBase64String(signature), ["public_key"] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()),
            ["key_id"] = "ignored",
        };
        alter?.Invoke(json);
        return Json(json);
    }

    /// <summary>The properties as JSON, with the one named set to value when one is given.</summary>
    private static JsonElement Json(Dictionary<string, object> properties, string name = "", object? value = null)
    {
        if (value is not null)
            properties[name] = value;
        return JsonSerializer.SerializeToElement(properties);
    }
}
