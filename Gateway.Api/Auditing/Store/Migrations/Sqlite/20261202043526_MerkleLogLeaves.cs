using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gateway.Api.Auditing.Migrations.Sqlite
{
    /// <summary>
    /// After <see cref="MerkleLog"/>, whose column changes rebuilt <c>audit_records</c> (which drops
    /// a table's triggers): the records of the former hash chains become the log's first leaves, in
    /// the order they were written (the gateway hashes them into the tree at its next start), and
    /// every audit table is append-only again.
    /// </summary>
    public partial class MerkleLogLeaves : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_records_no_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_records_no_delete;");
            migrationBuilder.Sql("""
                UPDATE audit_records SET leaf_index = numbered.n
                FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n FROM audit_records) AS numbered
                WHERE audit_records.id = numbered.id;
                """);
            foreach (var table in Tables)
            {
                migrationBuilder.Sql($"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;");
                migrationBuilder.Sql($"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "audit_nodes", "audit_checkpoints" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_no_update;");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_no_delete;");
            }
        }

        private static readonly string[] Tables = ["audit_records", "audit_nodes", "audit_checkpoints"];
    }
}
