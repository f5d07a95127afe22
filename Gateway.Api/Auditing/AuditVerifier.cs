using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auditing;

/// <summary>The result of walking every chain: whether all are intact, how many records were checked and the first broken one, plus which chain broke and each chain's own result.</summary>
internal sealed record AuditVerification(
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("records_checked")] long RecordsChecked,
    [property: JsonPropertyName("first_broken_seq")] long? FirstBrokenSeq,
    [property: JsonPropertyName("broken_chain_id")] string? BrokenChainId,
    [property: JsonPropertyName("chains")] IReadOnlyList<ChainVerification> Chains);

internal sealed record ChainVerification(
    [property: JsonPropertyName("chain_id")] string ChainId,
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("records_checked")] long RecordsChecked,
    [property: JsonPropertyName("first_broken_seq")] long? FirstBrokenSeq);

/// <summary>
/// Walks each chain in sequence order (one read, so one snapshot) and recomputes every hash. A
/// record is broken when its hash is not that of its canonical form (an edited field), its
/// <c>prev_hash</c> is not its predecessor's hash (an edited or re-hashed predecessor), or its
/// seq is not the next one: a missing seq is reported as that deleted record's seq. The chain
/// alone cannot show records cut off its end; the per-chain counts let that be compared with
/// what was exported.
/// </summary>
internal static class AuditVerifier
{
    public static async Task<AuditVerification> VerifyAsync(AuditDbContext db, CancellationToken cancellationToken)
    {
        var chains = new List<ChainVerification>();
        string? chain = null;
        long expected = 0, checkedCount = 0;
        long? broken = null;
        var prev = AuditChain.Genesis;
        var records = db.Records.AsNoTracking().OrderBy(r => r.ChainId).ThenBy(r => r.Seq).AsAsyncEnumerable();
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            if (record.ChainId != chain)
            {
                Close();
                (chain, expected, checkedCount, broken, prev) = (record.ChainId, 1, 0, null, AuditChain.Genesis);
            }

            if (broken is not null)
            {
                continue;
            }

            checkedCount++;
            if (record.Seq != expected)
            {
                broken = expected;
            }
            else if (record.PrevHash != prev || record.Hash != AuditChain.Hash(record))
            {
                broken = record.Seq;
            }
            else
            {
                expected++;
                prev = record.Hash;
            }
        }

        Close();
        var first = chains.FirstOrDefault(c => !c.Valid);
        return new AuditVerification(first is null, chains.Sum(c => c.RecordsChecked), first?.FirstBrokenSeq, first?.ChainId, chains);

        void Close()
        {
            if (chain is not null)
            {
                chains.Add(new ChainVerification(chain, broken is null, checkedCount, broken));
            }
        }
    }
}
