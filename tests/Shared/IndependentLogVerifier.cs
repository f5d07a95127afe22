using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AspireGateway.Tests;

/// <summary>
/// A second verifier for the gateway's audit transparency log, written from RFC 9162 §2.1 and the
/// checkpoint format alone and sharing no code with Gateway.Api, so that each implementation checks
/// the other: a bug both would have to make the same way is the only one the pair can miss.
/// </summary>
public static class IndependentLogVerifier
{
    private const int HashSize = 32;
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const string P256 = "1.2.840.10045.3.1.7";

    /// <summary>A checkpoint whose signature, key and log id have been checked.</summary>
    public sealed record Checkpoint(string LogId, long TreeSize, byte[] RootHash, string Time);

    /// <summary>SHA-256(0x00 || leaf bytes).</summary>
    public static byte[] LeafHash(byte[] leaf) => SHA256.HashData([0x00, .. leaf]);

    /// <summary>MTH over the leaf hashes, naively recursive (RFC 9162 §2.1.1), for tests.</summary>
    public static byte[] TreeHash(IReadOnlyList<byte[]> leafHashes) => leafHashes.Count switch
    {
        0 => SHA256.HashData([]),
        1 => leafHashes[0],
        var n => Node(TreeHash([.. leafHashes.Take(Split(n))]), TreeHash([.. leafHashes.Skip(Split(n))])),
    };

    /// <summary>RFC 9162 §2.1.3.2: whether the audit path takes the leaf hash at leafIndex to root in a tree of treeSize.</summary>
    public static bool VerifyInclusion(long leafIndex, long treeSize, byte[] leafHash, IReadOnlyList<byte[]> auditPath, byte[] root)
    {
        if (leafIndex < 0 || leafIndex >= treeSize || leafHash.Length != HashSize || auditPath.Any(h => h.Length != HashSize))
            return false;
        long fn = leafIndex, sn = treeSize - 1;
        var r = leafHash;
        foreach (var p in auditPath)
        {
            if (sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = Node(p, r);
                while ((fn & 1) == 0 && fn != 0)
                    (fn, sn) = (fn >> 1, sn >> 1);
            }
            else
            {
                r = Node(r, p);
            }
            (fn, sn) = (fn >> 1, sn >> 1);
        }
        return sn == 0 && Same(r, root);
    }

    /// <summary>RFC 9162 §2.1.4.2: whether the tree of size first (firstRoot) is a prefix of the tree of size second (secondRoot).</summary>
    public static bool VerifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot, IReadOnlyList<byte[]> proof)
    {
        if (first < 0 || first > second || proof.Any(h => h.Length != HashSize))
            return false;
        if (first == second)
            return proof.Count == 0 && Same(firstRoot, secondRoot);
        if (first == 0) // every tree extends the empty one, whose root is SHA-256 of nothing
            return proof.Count == 0 && Same(firstRoot, SHA256.HashData([]));
        if (proof.Count == 0)
            return false;
        IReadOnlyList<byte[]> path = (first & (first - 1)) == 0 ? [firstRoot, .. proof] : proof;
        long fn = first - 1, sn = second - 1;
        while ((fn & 1) == 1)
            (fn, sn) = (fn >> 1, sn >> 1);
        byte[] fr = path[0], sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                (fr, sr) = (Node(c, fr), Node(c, sr));
                while ((fn & 1) == 0 && fn != 0)
                    (fn, sn) = (fn >> 1, sn >> 1);
            }
            else
            {
                sr = Node(sr, c);
            }
            (fn, sn) = (fn >> 1, sn >> 1);
        }
        return sn == 0 && Same(fr, firstRoot) && Same(sr, secondRoot);
    }

    /// <summary>The checkpoint in the gateway's JSON, or null unless its ES256 signature, key, log id (and expectedLogId) all check out.</summary>
    public static Checkpoint? ReadCheckpoint(JsonElement json, string? expectedLogId = null)
    {
        var (logId, size, root, time) = (Text(json, "log_id"), Number(json, "tree_size"), Hash(Text(json, "root_hash")), Text(json, "time"));
        var (signature, spki) = (Base64(Text(json, "signature")), Base64(Text(json, "public_key")));
        if (logId is null || size is not >= 0 || root is null || signature is null || spki is null
            || !DateTime.TryParseExact(time, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            || logId != Convert.ToHexStringLower(SHA256.HashData(spki)) || (expectedLogId is not null && logId != expectedLogId))
            return null;
        var body = $"audit-checkpoint/v1\nlog {logId}\nsize {size.Value.ToString(CultureInfo.InvariantCulture)}\nroot {Convert.ToHexStringLower(root)}\ntime {time}\n";
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(spki, out var read);
            var valid = read == spki.Length && key.ExportParameters(false).Curve.Oid.Value == P256
                && key.VerifyData(Encoding.UTF8.GetBytes(body), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            return valid ? new Checkpoint(logId, size.Value, root, time!) : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Whether the inclusion proof JSON is for this checkpoint's log and size and leads to its root.</summary>
    public static bool VerifyInclusion(JsonElement inclusionProof, Checkpoint checkpoint) =>
        Text(inclusionProof, "log_id") == checkpoint.LogId && Number(inclusionProof, "tree_size") == checkpoint.TreeSize
        && Number(inclusionProof, "leaf_index") is { } index && Hash(Text(inclusionProof, "leaf_hash")) is { } leaf
        && Hashes(inclusionProof, "audit_path") is { } path && VerifyInclusion(index, checkpoint.TreeSize, leaf, path, checkpoint.RootHash);

    /// <summary>Whether the consistency proof JSON is for these two checkpoints of one log and proves the older a prefix of the newer.</summary>
    public static bool VerifyConsistency(JsonElement consistencyProof, Checkpoint older, Checkpoint newer) =>
        older.LogId == newer.LogId && Text(consistencyProof, "log_id") == older.LogId
        && Number(consistencyProof, "first") == older.TreeSize && Number(consistencyProof, "second") == newer.TreeSize
        && Hashes(consistencyProof, "proof") is { } proof && VerifyConsistency(older.TreeSize, newer.TreeSize, older.RootHash, newer.RootHash, proof);

    private static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    private static bool Same(byte[] a, byte[] b) => CryptographicOperations.FixedTimeEquals(a, b);

    /// <summary>The largest power of two strictly less than n (n > 1).</summary>
    private static int Split(int n) => 1 << BitOperations.Log2((uint)(n - 1));

    private static JsonElement? Property(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) ? value : null;

    private static string? Text(JsonElement json, string name) =>
        Property(json, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static long? Number(JsonElement json, string name) =>
        Property(json, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : null;

    /// <summary>32 bytes from exactly 64 lowercase hex digits, else null.</summary>
    private static byte[]? Hash(string? hex) =>
        hex is { Length: HashSize * 2 } && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f') ? Convert.FromHexString(hex) : null;

    private static List<byte[]>? Hashes(JsonElement json, string name)
    {
        if (Property(json, name) is not { ValueKind: JsonValueKind.Array } array)
            return null;
        var hashes = array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? Hash(e.GetString()) : null).OfType<byte[]>().ToList();
        return hashes.Count == array.GetArrayLength() ? hashes : null;
    }

    private static byte[]? Base64(string? text)
    {
        try
        {
            return text is null ? null : Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
