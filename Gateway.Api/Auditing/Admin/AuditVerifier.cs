using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auditing;

/// <summary>
/// The result of rebuilding the log: whether every leaf, the head and every checkpoint (stored and
/// outside the store) agree; how many leaves were checked; the first leaf that is missing or
/// changed, or the first leaf of the range a failing checkpoint points at; and what was found.
/// </summary>
internal sealed record AuditVerification(
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("records_checked")] long RecordsChecked,
    [property: JsonPropertyName("first_broken_seq")] long? FirstBrokenSeq,
    [property: JsonPropertyName("problem")] string? Problem,
    [property: JsonPropertyName("log_id")] string LogId,
    [property: JsonPropertyName("tree_size")] long TreeSize,
    [property: JsonPropertyName("root_hash")] string RootHash,
    [property: JsonPropertyName("checkpoints_checked")] int CheckpointsChecked,
    [property: JsonPropertyName("outside_checkpoints")] IReadOnlyList<OutsideVerification> OutsideCheckpoints);

/// <summary>What a copy kept outside the store says: its tree size, and whether the store agrees with it.</summary>
internal sealed record OutsideVerification(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("tree_size")] long? TreeSize,
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("problem")] string? Problem);

/// <summary>
/// Rebuilds the whole tree from the records (each leaf hash recomputed from the record's content)
/// and checks it against everything that vouches for it:
/// <list type="bullet">
/// <item>leaf indexes run 0, 1, 2… without a gap (a deleted record is named by its index), and a
/// record's stored leaf hash (or, for a record of the former hash chains, its chain hash) is the
/// hash of its content (an edited record is named);</item>
/// <item>the head's size is the number of leaves (records cut off the end);</item>
/// <item>every stored checkpoint is signed by the log's key and its root is the root of the
/// rebuilt tree at its size (an edited record whose stored hash was rewritten too is found in the
/// range between the last matching checkpoint and this one);</item>
/// <item>every copy outside the store likewise, and is not larger than the store (a store cut short
/// or replaced, with its own checkpoints deleted, is found here).</item>
/// </list>
/// The outside copies are read first and the head next, so appends committed meanwhile never look
/// like tampering: the tree checked is the head's.
/// </summary>
internal static class AuditVerifier
{
    public static async Task<AuditVerification> VerifyAsync(
        AuditDbContext db, byte[] publicKey, IReadOnlyList<OutsideCheckpoint> outside, CancellationToken cancellationToken)
    {
        var checkpoints = await db.Checkpoints.AsNoTracking().OrderBy(c => c.TreeSize).ToListAsync(cancellationToken);
        var headSize = await db.Heads.AsNoTracking().Select(h => (long?)h.Size).SingleOrDefaultAsync(cancellationToken) ?? 0;
        var wanted = checkpoints.Select(c => c.TreeSize).Concat(outside.Select(o => o.Checkpoint?.TreeSize ?? -1)).ToHashSet();
        var roots = new Dictionary<long, string>();
        var frontier = MerkleFrontier.Empty();
        var finding = (Problem: (string?)null, Leaf: (long?)null);

        var records = db.Records.AsNoTracking().Where(r => r.LeafIndex != null && r.LeafIndex < headSize).OrderBy(r => r.LeafIndex).AsAsyncEnumerable();
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            var index = frontier.Size;
            if (record.LeafIndex != index)
            {
                finding = ($"Leaf {index} is missing: records were deleted.", index);
                break;
            }

            var leafHash = AuditLeaf.HashBytes(record);
            var hash = Convert.ToHexStringLower(leafHash);
            if ((record.LeafHash is not null && record.LeafHash != hash) || !MatchesFormerChainHash(record))
            {
                finding = ($"Leaf {index} does not match its leaf hash: the record was changed after it was written.", index);
                break;
            }

            frontier.Append(leafHash);
            if (wanted.Contains(frontier.Size))
            {
                roots[frontier.Size] = Convert.ToHexStringLower(frontier.Root());
            }
        }

        if (finding.Problem is null && frontier.Size < headSize)
        {
            finding = ($"The log's head counts {headSize} leaves but the store holds {frontier.Size}: records at the end were deleted.", frontier.Size);
        }

        if (finding.Problem is null && await db.Records.AnyAsync(r => r.LeafIndex == null, cancellationToken))
        {
            finding = ("Records without a leaf index are in the store: they were not appended by the gateway.", null);
        }

        long matched = 0;
        foreach (var checkpoint in checkpoints)
        {
            if (finding.Problem is not null)
            {
                break;
            }

            finding = Check(checkpoint, "stored checkpoint", ref matched);
        }

        var copies = new List<OutsideVerification>();
        foreach (var copy in outside)
        {
            var (problem, leaf) = copy switch
            {
                { Checkpoint: { } checkpoint } => Check(checkpoint, $"checkpoint kept in the {copy.Source}", ref matched),
                _ => (copy.Problem, (long?)null),
            };
            copies.Add(new OutsideVerification(copy.Source, copy.Checkpoint?.TreeSize, problem is null, problem));
            finding = finding.Problem is null && copy.View is not null ? (problem, leaf) : finding;
        }

        return new AuditVerification(
            finding.Problem is null,
            frontier.Size,
            finding.Leaf,
            finding.Problem,
            Checkpoint.LogIdOf(publicKey),
            frontier.Size,
            Convert.ToHexStringLower(frontier.Root()),
            checkpoints.Count,
            copies);

        // A record of the former hash chains (format 1) still carries the hash that chain gave it.
        static bool MatchesFormerChainHash(AuditRecord record) =>
            record.Format != AuditLeaf.ChainFormat || record.Hash is null
            || record.Hash == Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(AuditLeaf.Canonical(record).WrittenSpan));

        (string?, long?) Check(AuditCheckpoint checkpoint, string what, ref long lastMatched)
        {
            var size = checkpoint.TreeSize.ToString(CultureInfo.InvariantCulture);
            if (!Checkpoint.IsSignedBy(checkpoint, publicKey))
            {
                return ($"The {what} of size {size} is not signed by this log's key.", null);
            }

            if (checkpoint.TreeSize > frontier.Size)
            {
                return ($"The {what} covers {size} leaves but the log has {frontier.Size}: records were deleted.", frontier.Size);
            }

            if (checkpoint.TreeSize > 0 && (!roots.TryGetValue(checkpoint.TreeSize, out var root) || root != checkpoint.RootHash))
            {
                return ($"The tree of size {size} does not match its {what}: a record between leaf {lastMatched} and leaf {checkpoint.TreeSize - 1} was changed or replaced.", lastMatched);
            }

            lastMatched = Math.Max(lastMatched, checkpoint.TreeSize);
            return (null, null);
        }
    }
}
