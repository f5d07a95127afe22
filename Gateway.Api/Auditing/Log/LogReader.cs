using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auditing;

/// <summary>
/// Reads the tree back from the store for proofs: a perfect subtree's hash comes from the stored
/// subtree at the level below it that is a multiple of <see cref="AuditNode.Stride"/> (at most
/// eight rows), or from its leaves, so a proof costs a few small reads per level of the tree.
/// </summary>
internal sealed class LogReader(AuditDbContext db)
{
    public async Task<long> SizeAsync(CancellationToken cancellationToken) =>
        await db.Heads.AsNoTracking().Where(h => h.Id == AuditLogHead.SingleId).Select(h => h.Size).SingleAsync(cancellationToken);

    public Task<AuditCheckpoint?> LatestCheckpointAsync(CancellationToken cancellationToken) =>
        db.Checkpoints.AsNoTracking().OrderByDescending(c => c.TreeSize).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The smallest checkpoint that covers <paramref name="leaf"/>: where a receipt's proof goes first.</summary>
    public Task<AuditCheckpoint?> CheckpointCoveringAsync(long leaf, CancellationToken cancellationToken) =>
        db.Checkpoints.AsNoTracking().Where(c => c.TreeSize > leaf).OrderBy(c => c.TreeSize).FirstOrDefaultAsync(cancellationToken);

    public Task<AuditCheckpoint?> CheckpointAsync(long treeSize, CancellationToken cancellationToken) =>
        db.Checkpoints.AsNoTracking().SingleOrDefaultAsync(c => c.TreeSize == treeSize, cancellationToken);

    /// <summary>The leaf a receipt names: found by its time (indexed), then told apart by its hash.</summary>
    public Task<long?> LeafIndexOfAsync(string leafHash, DateTime time, CancellationToken cancellationToken) =>
        db.Records.AsNoTracking().Where(r => r.Time == time && r.LeafHash == leafHash).OrderBy(r => r.LeafIndex).Select(r => r.LeafIndex).FirstOrDefaultAsync(cancellationToken);

    public async Task<string> LeafHashAsync(long leaf, CancellationToken cancellationToken) =>
        Convert.ToHexStringLower(await SubtreeAsync(new Subtree(0, leaf), cancellationToken));

    public async Task<List<string>> InclusionProofAsync(long leaf, long treeSize, CancellationToken cancellationToken) =>
        await HashesAsync(MerkleTree.InclusionRanges(leaf, treeSize), cancellationToken);

    public async Task<List<string>> ConsistencyProofAsync(long first, long second, CancellationToken cancellationToken) =>
        await HashesAsync(MerkleTree.ConsistencyRanges(first, second), cancellationToken);

    private async Task<List<string>> HashesAsync(List<LeafRange> ranges, CancellationToken cancellationToken)
    {
        var hashes = new List<string>(ranges.Count);
        foreach (var range in ranges)
        {
            var parts = new List<byte[]>();
            foreach (var subtree in MerkleTree.Decompose(range))
            {
                parts.Add(await SubtreeAsync(subtree, cancellationToken));
            }

            hashes.Add(Convert.ToHexStringLower(MerkleTree.FoldRight(parts)));
        }

        return hashes;
    }

    private async Task<byte[]> SubtreeAsync(Subtree subtree, CancellationToken cancellationToken)
    {
        var stored = subtree.Level - (subtree.Level % AuditNode.Stride);
        var count = 1 << (subtree.Level - stored);
        var first = subtree.Index << (subtree.Level - stored);
        var hashes = stored == 0 ? await LeavesAsync(first, count, cancellationToken) : await NodesAsync(stored, first, count, cancellationToken);
        if (hashes.Count != count)
        {
            throw new LogIncompleteException($"The store lacks part of the subtree at level {subtree.Level}, position {subtree.Index}; run the audit verification.");
        }

        while (hashes.Count > 1)
        {
            hashes = [.. hashes.Chunk(2).Select(pair => MerkleTree.NodeHash(pair[0], pair[1]))];
        }

        return hashes[0];
    }

    private async Task<List<byte[]>> LeavesAsync(long first, int count, CancellationToken cancellationToken)
    {
        var records = await db.Records.AsNoTracking()
            .Where(r => r.LeafIndex >= first && r.LeafIndex < first + count)
            .OrderBy(r => r.LeafIndex)
            .ToListAsync(cancellationToken);
        return [.. records.Select(r => Convert.FromHexString(r.LeafHash ?? AuditLeaf.Hash(r)))];
    }

    private async Task<List<byte[]>> NodesAsync(int level, long first, int count, CancellationToken cancellationToken)
    {
        var nodes = await db.Nodes.AsNoTracking()
            .Where(n => n.Level == level && n.Position >= first && n.Position < first + count)
            .OrderBy(n => n.Position)
            .Select(n => n.Hash)
            .ToListAsync(cancellationToken);
        return [.. nodes.Select(Convert.FromHexString)];
    }
}

/// <summary>A proof needs a leaf or subtree the store no longer has.</summary>
internal sealed class LogIncompleteException(string message) : Exception(message);
