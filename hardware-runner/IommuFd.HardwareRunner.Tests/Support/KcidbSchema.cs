using Json.Schema;

namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>The project's statement of KCIDB I/O data v5.3 (the format KernelCI's KCIDB accepts),
/// as a JSON schema: every object, property, type, pattern, enumeration, limit, required property
/// and closed object of that version. Descriptions stay in the format's documentation; only what a
/// submission is refused for is here. Each helper returns a new builder, so no part is shared.</summary>
public static class KcidbSchema
{
    public static readonly Lazy<JsonSchema> V5_3 = new(() => Document().Build());

    /// <summary>The whole submission: the version it follows and a list per kind of record.</summary>
    private static JsonSchemaBuilder Document() => Closed(["version"],
        ("version", Closed(["major"],
            ("major", Of(SchemaValueType.Integer).Const(5)),
            ("minor", Of(SchemaValueType.Integer).Minimum(0).Maximum(3)))),
        ("checkouts", ListOf(Checkout())),
        ("builds", ListOf(Build())),
        ("tests", ListOf(Test())),
        ("issues", ListOf(Issue())),
        ("incidents", ListOf(Incident())));

    /// <summary>A kernel source as one origin tested it.</summary>
    private static JsonSchemaBuilder Checkout() => Record(["id", "origin"],
        ("tree_name", Text()),
        ("git_repository_url", Url().Pattern(@"^https://[^\x00]*$")),
        ("git_repository_branch", Text()),
        ("git_repository_branch_tip", Of(SchemaValueType.Boolean)),
        ("git_commit_hash", Of(SchemaValueType.String).Pattern("^[0-9a-f]{40}$")),
        ("git_commit_name", Text()),
        ("git_commit_tags", ListOf(Text())),
        ("git_commit_message", Text()),
        ("patchset_files", Files()),
        ("patchset_hash", Of(SchemaValueType.String).Pattern("^([0-9a-f]{64})?$")),
        ("message_id", Of(SchemaValueType.String).Format(Formats.Email)),
        ("start_time", Time()),
        ("origin_builds_finish_time", Time()),
        ("origin_tests_finish_time", Time()),
        ("log_url", Url()),
        ("log_excerpt", Excerpt()),
        ("valid", Of(SchemaValueType.Boolean)));

    /// <summary>A kernel built from a checkout.</summary>
    private static JsonSchemaBuilder Build() => Record(["id", "origin", "checkout_id"],
    [
        ("checkout_id", Id()),
        ("architecture", Of(SchemaValueType.String).Pattern("^[a-z0-9_]*$")),
        ("command", Text()),
        ("compiler", Text()),
        ("config_name", Text()),
        ("config_url", Url()),
        .. Ran(),
    ]);

    /// <summary>One test run on a build, in an environment.</summary>
    private static JsonSchemaBuilder Test() => Record(["id", "origin", "build_id"],
    [
        ("build_id", Id()),
        ("path", DottedPath()),
        ("environment", Closed([],
            ("comment", Text()),
            ("compatible", ListOf(Of(SchemaValueType.String).Pattern(@"^[^ \x00]+(,[^ \x00]+)*$"))),
            ("misc", Of(SchemaValueType.Object)))),
        ("number", Closed(["value"],
            ("value", Of(SchemaValueType.Number)),
            ("unit", Text()),
            ("prefix", Of(SchemaValueType.String).Enum("metric", "binary")))),
        .. Ran(),
    ]);

    /// <summary>What builds and tests both tell of their run: when and how long, the files
    /// taken and made, the log and the result.</summary>
    private static (string, JsonSchemaBuilder)[] Ran() =>
    [
        ("start_time", Time()),
        ("duration", Of(SchemaValueType.Number)),
        ("input_files", Files()),
        ("output_files", Files()),
        ("log_url", Url()),
        ("log_excerpt", Excerpt()),
        ("status", Status()),
    ];

    /// <summary>A known problem, in numbered versions.</summary>
    private static JsonSchemaBuilder Issue() => Record(["id", "origin", "version"],
        ("version", Count()),
        ("report_url", Url()),
        ("report_subject", Text()),
        ("categories", ListOf(DottedPath())),
        ("culprit", Closed([],
            ("code", Of(SchemaValueType.Boolean)),
            ("tool", Of(SchemaValueType.Boolean)),
            ("harness", Of(SchemaValueType.Boolean)))));

    /// <summary>An issue seen (or not) in a build or test.</summary>
    private static JsonSchemaBuilder Incident() => Record(["id", "origin", "issue_id", "issue_version"],
        ("issue_id", Id()),
        ("issue_version", Count()),
        ("build_id", Id()),
        ("test_id", Id()),
        ("present", Of(SchemaValueType.Boolean)));

    /// <summary>A closed object with what every kind of record has: its id, the origin that sent
    /// it, a comment, free-form misc data and the time KCIDB received it.</summary>
    private static JsonSchemaBuilder Record(string[] required, params (string Name, JsonSchemaBuilder Schema)[] own) =>
        Closed(required,
        [
            ("id", Id()),
            ("origin", Of(SchemaValueType.String).Pattern("^[a-z0-9_]+$")),
            ("comment", Text()),
            ("misc", Of(SchemaValueType.Object)),
            ("_timestamp", Time()),
            .. own,
        ]);

    /// <summary>An object with exactly these properties (none other allowed).</summary>
    private static JsonSchemaBuilder Closed(string[] required, params (string Name, JsonSchemaBuilder Schema)[] properties) =>
        Of(SchemaValueType.Object).Properties(properties).Required(required).AdditionalProperties(false);

    /// <summary>"origin:anything": an origin name, a colon, then any text.</summary>
    private static JsonSchemaBuilder Id() => Of(SchemaValueType.String).Pattern(@"^[a-z0-9_]+:[^\x00]*$");

    /// <summary>KCIDB's texts may hold any character except NUL.</summary>
    private static JsonSchemaBuilder Text() => Of(SchemaValueType.String).Pattern(@"^[^\x00]*$");

    /// <summary>A log excerpt is text of at most 16 KiB characters.</summary>
    private static JsonSchemaBuilder Excerpt() => Text().MaxLength(16384);

    /// <summary>A dotted test path ("a.b.c"), or empty for the root.</summary>
    private static JsonSchemaBuilder DottedPath() => Of(SchemaValueType.String).Pattern(@"^([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)?$");

    private static JsonSchemaBuilder Url() => Of(SchemaValueType.String).Format(Formats.Uri);

    private static JsonSchemaBuilder Time() => Of(SchemaValueType.String).Format(Formats.DateTime);

    private static JsonSchemaBuilder Count() => Of(SchemaValueType.Integer).Minimum(0);

    private static JsonSchemaBuilder Status() =>
        Of(SchemaValueType.String).Enum("PASS", "FAIL", "ERROR", "MISS", "SKIP", "DONE");

    /// <summary>Named files: a file name (no slash, no NUL, not empty) and where to get it.</summary>
    private static JsonSchemaBuilder Files() => ListOf(Closed(["name", "url"],
        ("name", Of(SchemaValueType.String).Pattern(@"^[^/\x00]+$")),
        ("url", Url())));

    private static JsonSchemaBuilder ListOf(JsonSchemaBuilder item) => Of(SchemaValueType.Array).Items(item);

    private static JsonSchemaBuilder Of(SchemaValueType type) => new JsonSchemaBuilder().Type(type);
}
