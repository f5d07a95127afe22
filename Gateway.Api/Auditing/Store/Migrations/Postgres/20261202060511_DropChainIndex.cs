using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gateway.Api.Auditing.Migrations.Postgres
{
    /// <summary>
    /// The former chains' (chain_id, seq) index: nothing writes chain records any more and the
    /// verifier reads leaves by index, so each insert maintains one index fewer.
    /// </summary>
    public partial class DropChainIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_audit_records_chain_id_seq",
                table: "audit_records");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_audit_records_chain_id_seq",
                table: "audit_records",
                columns: new[] { "chain_id", "seq" },
                unique: true);
        }
    }
}
