using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gateway.Api.Auditing.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MerkleLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<long>(
                name: "seq",
                table: "audit_records",
                type: "bigint",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "bigint");

            migrationBuilder.AlterColumn<string>(
                name: "prev_hash",
                table: "audit_records",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<string>(
                name: "hash",
                table: "audit_records",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<string>(
                name: "chain_id",
                table: "audit_records",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(100)",
                oldMaxLength: 100);

            migrationBuilder.AddColumn<string>(
                name: "key_thumbprint",
                table: "audit_records",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "leaf_hash",
                table: "audit_records",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "leaf_index",
                table: "audit_records",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "audit_checkpoints",
                columns: table => new
                {
                    tree_size = table.Column<long>(type: "bigint", nullable: false),
                    log_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    root_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    time = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    signature = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_checkpoints", x => x.tree_size);
                });

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    frontier = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audit_nodes",
                columns: table => new
                {
                    level = table.Column<int>(type: "integer", nullable: false),
                    position = table.Column<long>(type: "bigint", nullable: false),
                    hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_nodes", x => new { x.level, x.position });
                });

            migrationBuilder.InsertData(
                table: "audit_log",
                columns: new[] { "id", "frontier", "size" },
                values: new object[] { 1, "", 0L });


            migrationBuilder.CreateIndex(
                name: "IX_audit_records_leaf_index",
                table: "audit_records",
                column: "leaf_index",
                unique: true);

            // Records of the former hash chains become the log's first leaves, in the order they were
            // written; the gateway hashes them into the tree at its next start.
            migrationBuilder.Sql("ALTER TABLE audit_records DISABLE TRIGGER audit_records_no_update;");
            migrationBuilder.Sql("""
                UPDATE audit_records SET leaf_index = numbered.n
                FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n FROM audit_records) AS numbered
                WHERE audit_records.id = numbered.id;
                """);
            migrationBuilder.Sql("ALTER TABLE audit_records ENABLE TRIGGER audit_records_no_update;");
            foreach (var table in new[] { "audit_nodes", "audit_checkpoints" })
            {
                migrationBuilder.Sql($"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();");
                migrationBuilder.Sql($"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();");
                migrationBuilder.Sql($"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "audit_nodes", "audit_checkpoints" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_no_update ON {table};");
            }

            migrationBuilder.DropTable(
                name: "audit_checkpoints");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "audit_nodes");


            migrationBuilder.DropIndex(
                name: "IX_audit_records_leaf_index",
                table: "audit_records");

            migrationBuilder.DropColumn(
                name: "key_thumbprint",
                table: "audit_records");

            migrationBuilder.DropColumn(
                name: "leaf_hash",
                table: "audit_records");

            migrationBuilder.DropColumn(
                name: "leaf_index",
                table: "audit_records");

            migrationBuilder.AlterColumn<long>(
                name: "seq",
                table: "audit_records",
                type: "bigint",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "bigint",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "prev_hash",
                table: "audit_records",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "hash",
                table: "audit_records",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "chain_id",
                table: "audit_records",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(100)",
                oldMaxLength: 100,
                oldNullable: true);
        }
    }
}
