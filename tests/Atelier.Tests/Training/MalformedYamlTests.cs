using Atelier.Experiments;
using Atelier.Tests.Data;
using Atelier.Training;

namespace Atelier.Tests.Training;

/// <summary>Every malformed shape of an experiment file or a training configuration is one sentence naming the file and line, never a raw exception.</summary>
public sealed class MalformedYamlTests
{
    private const string File = "study.yaml";

    /// <summary>Parses <paramref name="yaml"/> as an experiment; returns the refusal's message, which must name the file.</summary>
    private static string Refusal(string yaml)
    {
        var e = Assert.Throws<InvalidDataException>(() => ExperimentSpec.Parse(yaml, File));
        Assert.StartsWith(File, e.Message);
        Assert.DoesNotContain("\n", e.Message);
        return e.Message;
    }

    [Theory]
    [InlineData("name: x\nbase: { model: mlp\nruns:\n  - { label: a }\n", "line 2", "the '{' opened on this line is not closed")]
    [InlineData("name: x\nruns: [ { label: a }\n", "line 2", "the '[' opened on this line is not closed")]
    [InlineData("name: x\nbase:\n  model: mlp\n    epochs: 3\nruns:\n  - { label: a }\n", "line 4", "not valid YAML")]
    [InlineData("name: x\nbase:\n\tmodel: mlp\nruns:\n  - { label: a }\n", "line 3", "indented with a tab")]
    [InlineData("name: x\n? { a: 1 }\n: 2\n", "line 2", "a key is a mapping")]
    [InlineData("name: x\n? [a, b]\n: 2\n", "line 2", "a key is a list")]
    [InlineData("name: x\nbase: { lr: }\nruns:\n  - { label: a }\n", "line 2", "option 'lr' has no value")]
    [InlineData("name: x\nbase:\n  lr: 0.1\n  epochs: 2\n  lr: 0.2\nruns:\n  - { label: a }\n", "line 5", "the key 'lr' appears twice in the same mapping, on line 3 and line 5")]
    [InlineData("name: x\nbase:\n  lr: 0.1\n  LR: 0.2\nruns:\n  - { label: a }\n", "line 4", "'LR' sets the option 'lr' again (already on line 3)")]
    [InlineData("name: x\nbase: { lr: *rate }\nruns:\n  - { label: a }\n", "line 2", "the alias '*rate' refers to no anchor")]
    [InlineData("name: x\nruns: &r\n  - { label: a }\ngrid: *r\n", "line 4", "'grid' must be a mapping")]
    [InlineData("name: x\nruns: [ { label: a } ]\n---\nname: y\n", "line 3", "a second YAML document")]
    [InlineData("just a sentence", "line 1", "not 'just a sentence'")]
    [InlineData("- { label: a }\n- { label: b }\n", "line 1", "not a list")]
    [InlineData("name: x\ngrid:\n  lr: { a: 1 }\n", "line 3", "needs a list of values")]
    [InlineData("name: x\ngrid:\n  lr: [0.1, [0.2, 0.3]]\n", "line 3", "each value of grid option 'lr' must be a single value, not a list")]
    [InlineData("name: x\ngrid:\n  lr: [0.1, { a: 1 }]\n", "line 3", "not a mapping")]
    [InlineData("name: x\ngrid:\n  lr: [0.1, ~]\n", "line 3", "not nothing")]
    [InlineData("name: x\nbase: { model: mlp }\ngrid:\n  lr: []\n", "line 4", "an empty list, which makes no runs")]
    [InlineData("name: x\nruns:\n  - { label: [a, b], lr: 0.1 }\n", "line 3", "a run's 'label' must be a single name, not a list")]
    [InlineData("name: x\nruns:\n  - { label: { a: 1 } }\n", "line 3", "not a mapping")]
    [InlineData("name: x\nruns:\n  - { label: }\n", "line 3", "not nothing")]
    [InlineData("name: x\nbase: [model, mlp]\nruns:\n  - { label: a }\n", "line 2", "'base' must be a mapping of options, not a list")]
    [InlineData("name: x\nbase:\nruns:\n  - { label: a }\n", "line 2", "'base' must be a mapping of options, not nothing")]
    [InlineData("name: x\nruns: adam\n", "line 2", "'runs' must be a list of runs")]
    [InlineData("name: x\nruns:\n  - adam\n", "line 3", "each entry of 'runs' must be a mapping")]
    [InlineData("name: [a, b]\nruns:\n  - { label: a }\n", "line 1", "'name' must be a single line of text")]
    [InlineData("name: x\nbase: { epochs: ten }\nruns:\n  - { label: a }\n", "line 2", "--epochs needs a whole number, got 'ten'")]
    [InlineData("name: x\nbase: { model: mlpp }\nruns:\n  - { label: a }\n", "line 2", "Unknown model 'mlpp'")]
    [InlineData("name: x\nbase: { bsize: 3 }\nruns:\n  - { label: a }\n", "line 2", "unknown option 'bsize'")]
    [InlineData("name: x\nruns:\n  - { label: a, batch_sise: 3 }\n", "line 3", "unknown option 'batch_sise' (did you mean 'batch-size'?)")]
    [InlineData("name: x\ngrid:\n  lrr: [0.1]\n", "line 3", "unknown option 'lrr' (did you mean 'lr'?)")]
    [InlineData("name: x\ngrid:\n  lr: [0.1, fast]\n", "line 3", "--lr needs a number, got 'fast'")]
    [InlineData("name: x\nbase:\n  <<: { lr: 0.1 }\nruns:\n  - { label: a }\n", "line 3", "merge keys")]
    [InlineData("name: x\nruns:\n  - { label: a, optimizer: adamm }\n", "line 3", "run 'a' (line 3): Unknown optimizer 'adamm'")]
    [InlineData("name: x\n\"\": 1\n", "line 2", "a key is empty")]
    [InlineData("name: x\nruns: [ &r [ *r ] ]\n", "line 2", "refers to no anchor")]
    [InlineData("name: x\nruns: 'abc\n", "line 2", "quoted scalar")]
    [InlineData("name: x\n{\n", "line 2", "not valid YAML")]
    [InlineData("{", "line 1", "the '{' opened on this line is not closed")]
    [InlineData("{ name: x", "line 1", "the '{' opened on this line is not closed")]
    [InlineData("name: x\nruns:\n  - { label: a }\n@oops\n", "line 4", "not valid YAML")]
    [InlineData("name: x\nbase: { model: @x }\nruns:\n  - { label: a }\n", "line 2", "cannot start any token (inside the '{' opened on line 2)")]
    [InlineData("name: x\u0001\nruns: []\n", "line 1", "control character U+0001")]
    public void A_malformed_experiment_file_is_one_sentence_with_the_line(string yaml, string line, string fragment)
    {
        string message = Refusal(yaml);
        Assert.Contains(line, message);
        Assert.Contains(fragment, message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    public void An_empty_file_says_it_is_empty(string yaml) => Assert.Contains("is empty", Refusal(yaml));

    [Fact]
    public void Nesting_deeper_than_any_atelier_file_is_refused_without_exhausting_the_stack()
    {
        string deep = "name: x\ngrid:\n  lr: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        Assert.Contains("nests more than", Refusal(deep));
    }

    [Fact]
    public void A_mapping_of_very_many_keys_is_checked_for_duplicates_in_linear_time()
    {
        string many = "name: x\nbase:\n" + string.Concat(Enumerable.Range(0, 80_000).Select(i => $"  k{i}: 1\n")) + "  k0: 2\n";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Contains("the key 'k0' appears twice in the same mapping, on line 3 and line 80003", Refusal(many));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_list_of_too_many_runs_is_refused_before_each_is_validated()
    {
        string yaml = "name: x\nbase: { model: mlp4, patch: 7 }\nruns:\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"  - {{ seed: {i} }}\n"));
        Assert.Contains("line 3: 'runs' lists 20,000 runs, more than the 10,000", Refusal(yaml));
    }

    [Fact]
    public void A_huge_text_is_refused_before_it_is_parsed()
    {
        string huge = "name: x\ndescription: " + new string('a', 1 << 20) + "\n";
        Assert.Contains("too large", Assert.Throws<InvalidDataException>(() => ExperimentSpec.Parse(huge, File)).Message);
    }

    [Fact]
    public void A_grid_of_too_many_combinations_is_refused_before_it_is_built()
    {
        string values = "[" + string.Join(", ", Enumerable.Range(1, 10)) + "]";
        string yaml = "name: x\nbase: { model: mlp }\ngrid:\n" + string.Join("", new[] { "epochs", "seed", "batch-size", "patience", "threads" }.Select(k => $"  {k}: {values}\n"));
        Assert.Contains("the grid makes 100,000 runs", Refusal(yaml));
    }

    [Fact]
    public void A_binary_or_non_utf8_file_is_refused_as_not_text()
    {
        string dir = TestData.TempDirectory();
        string latin1 = Path.Combine(dir, "latin1.yaml");
        System.IO.File.WriteAllBytes(latin1, [.. "name: caf"u8, 0xE9, .. "\nruns: [ { label: a } ]\n"u8]);
        var e = Assert.Throws<InvalidDataException>(() => ExperimentSpec.Load(latin1));
        Assert.Equal($"{latin1} is not UTF-8 text: save the experiment file as UTF-8.", e.Message);

        string binary = Path.Combine(dir, "binary.yaml");
        var random = new Random(7);
        var bytes = new byte[4096];
        random.NextBytes(bytes);
        System.IO.File.WriteAllBytes(binary, bytes);
        Assert.StartsWith(binary, Assert.Throws<InvalidDataException>(() => ExperimentSpec.Load(binary)).Message);
        Assert.StartsWith(binary, Assert.Throws<InvalidDataException>(() => YamlOptions.Read(binary)).Message);
    }

    [Fact]
    public void A_utf16_file_with_a_byte_order_mark_still_reads()
    {
        string path = Path.Combine(TestData.TempDirectory(), "utf16.yaml");
        System.IO.File.WriteAllText(path, "name: x\nbase: { model: mlp }\nruns:\n  - { label: a }\n", System.Text.Encoding.Unicode);
        Assert.Equal("x", ExperimentSpec.Load(path).Name);
    }

    [Theory]
    [InlineData("lr: 0.1\nepochs: [1, 2]\n", "line 2", "option 'epochs' needs a single value, not a list")]
    [InlineData("lr:\n", "line 1", "option 'lr' has no value")]
    [InlineData("? [a]\n: 1\n", "line 1", "a key is a list")]
    [InlineData("{ lr: 0.1\n", "line 1", "not closed")]
    [InlineData("lr: 0.1\nlr: 0.2\n", "line 2", "the key 'lr' appears twice")]
    [InlineData("- lr: 0.1\n", "line 1", "not a list")]
    [InlineData("0.1\n", "line 1", "not '0.1'")]
    [InlineData("# nothing\n", "", "is empty")]
    [InlineData("lr: 0.1\n---\nlr: 0.2\n", "line 2", "a second YAML document")]
    [InlineData("epochs: *e\n", "line 1", "refers to no anchor")]
    [InlineData("bsize: 3\n", "line 1", "unknown option 'bsize'")]
    [InlineData("epochs: many\n", "line 1", "--epochs needs a whole number")]
    [InlineData("model: cnnn\n", "line 1", "Unknown model 'cnnn'")]
    public void A_malformed_configuration_is_one_sentence_with_the_line(string yaml, string line, string fragment)
    {
        string path = Path.Combine(TestData.TempDirectory(), "run.yaml");
        System.IO.File.WriteAllText(path, yaml);
        var e = Assert.Throws<InvalidDataException>(() => YamlOptions.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(line, e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void A_good_configuration_reads_in_file_order()
    {
        string path = Path.Combine(TestData.TempDirectory(), "run.yaml");
        System.IO.File.WriteAllText(path, "# a comment\nmodel: cnn\nlr: 0.01   # tuned\naugment: true\ndropout: default\nname: \"\"\n");
        Assert.Equal([new("model", "cnn"), new("lr", "0.01"), new("augment", "true"), new("dropout", "default"), new("name", "")], YamlOptions.Read(path));
    }
}
