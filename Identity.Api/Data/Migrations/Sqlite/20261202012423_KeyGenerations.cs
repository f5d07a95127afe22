using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Identity.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class KeyGenerations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "Generation",
                table: "ServerKeys",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Keys stored before generations existed are numbered in activation order, per use.
            migrationBuilder.Sql("""
                UPDATE "ServerKeys" SET "Generation" = (
                    SELECT COUNT(*) FROM "ServerKeys" AS earlier
                    WHERE earlier."Use" = "ServerKeys"."Use"
                      AND (earlier."ActivatesAt" < "ServerKeys"."ActivatesAt"
                           OR (earlier."ActivatesAt" = "ServerKeys"."ActivatesAt" AND earlier."Id" <= "ServerKeys"."Id")));
                """);

            migrationBuilder.CreateIndex(
                name: "IX_ServerKeys_Use_Generation",
                table: "ServerKeys",
                columns: new[] { "Use", "Generation" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ServerKeys_Use_Generation",
                table: "ServerKeys");

            migrationBuilder.DropColumn(
                name: "Generation",
                table: "ServerKeys");
        }
    }
}
