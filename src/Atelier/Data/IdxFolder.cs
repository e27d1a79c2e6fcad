namespace Atelier.Data;

/// <summary>
/// A folder holding an IDX dataset under MNIST's four file names (each gzipped or not): Fashion-MNIST, MNIST,
/// KMNIST... Class names come from a <c>classes.txt</c> beside them (one per line), else from the caller, else "0".."N-1".
/// </summary>
public static class IdxFolder
{
    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";
    public const string ClassesFile = "classes.txt";

    public static IReadOnlyList<string> FileNames { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>
    /// The file for <paramref name="baseName"/> in <paramref name="directory"/>: "name.gz" or "name", else a single
    /// file ending in "-name(.gz)" (EMNIST-style prefixes); null when there is none.
    /// </summary>
    public static string? FindFile(string directory, string baseName)
    {
        foreach (var candidate in (ReadOnlySpan<string>)[baseName + ".gz", baseName])
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        if (!Directory.Exists(directory)) return null;
        string? found = null;
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            if (!name.EndsWith("-" + baseName, StringComparison.Ordinal) && !name.EndsWith("-" + baseName + ".gz", StringComparison.Ordinal)) continue;
            if (found is not null) return null; // ambiguous: better to ask for the plain name than to guess
            found = path;
        }
        return found;
    }

    /// <summary>The base names of the four files that <paramref name="directory"/> lacks (empty when complete).</summary>
    public static List<string> MissingFiles(string directory)
    {
        var missing = new List<string>();
        foreach (var name in FileNames)
            if (FindFile(directory, name) is null) missing.Add(name);
        return missing;
    }

    /// <summary>Loads and validates the training and test sets of the folder.</summary>
    /// <param name="defaultClassNames">used when there is no classes.txt (e.g. Fashion-MNIST's names).</param>
    /// <param name="expectedShape">when given, (train count, test count, rows, cols) the files must have.</param>
    public static (Dataset Train, Dataset Test) Load(string directory, IReadOnlyList<string>? defaultClassNames = null,
        (int Train, int Test, int Rows, int Cols)? expectedShape = null)
    {
        var missing = MissingFiles(directory);
        if (missing.Count > 0)
            throw new DataFileException(
                $"The folder {directory} lacks {string.Join(", ", missing)} (each may be gzipped as .gz); it needs the four IDX files of the dataset.");
        var (trainImages, trainLabels) = ReadPair(directory, TrainImages, TrainLabels, expectedShape?.Train, expectedShape);
        var (testImages, testLabels) = ReadPair(directory, TestImages, TestLabels, expectedShape?.Test, expectedShape);
        if (trainImages.Rows != testImages.Rows || trainImages.Cols != testImages.Cols)
            throw new DataFileException(
                $"In {directory} the training images are {trainImages.Rows}x{trainImages.Cols} but the test images are {testImages.Rows}x{testImages.Cols}; both sets must have the same image size.");

        int maxLabel = Math.Max(Max(trainLabels), Max(testLabels));
        var classNames = ClassNames(directory, defaultClassNames, maxLabel);
        return (new Dataset(trainImages.Pixels, trainLabels, trainImages.Rows, trainImages.Cols, classNames, "train"),
                new Dataset(testImages.Pixels, testLabels, testImages.Rows, testImages.Cols, classNames, "test"));
    }

    private static (IdxImages Images, byte[] Labels) ReadPair(string directory, string imagesName, string labelsName,
        int? expectedCount, (int Train, int Test, int Rows, int Cols)? expectedShape)
    {
        string imagesPath = FindFile(directory, imagesName)!, labelsPath = FindFile(directory, labelsName)!;
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new DataFileException(
                $"{imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels; they must match one to one.");
        if (expectedCount is int count && images.Count != count)
            throw new DataFileException($"{imagesPath} holds {images.Count} images instead of the {count} of this dataset.");
        if (expectedShape is { } shape && (images.Rows != shape.Rows || images.Cols != shape.Cols))
            throw new DataFileException(
                $"{imagesPath} holds images of {images.Rows}x{images.Cols} pixels instead of the {shape.Rows}x{shape.Cols} of this dataset.");
        return (images, labels);
    }

    private static IReadOnlyList<string> ClassNames(string directory, IReadOnlyList<string>? defaults, int maxLabel)
    {
        string classesPath = Path.Combine(directory, ClassesFile);
        IReadOnlyList<string> names;
        string source;
        if (File.Exists(classesPath))
        {
            var lines = new List<string>();
            foreach (var line in File.ReadAllLines(classesPath))
                if (line.Trim().Length > 0) lines.Add(line.Trim());
            names = lines;
            source = classesPath;
        }
        else if (defaults is not null)
        {
            names = defaults;
            source = "the dataset's class list";
        }
        else
        {
            var numbered = new string[maxLabel + 1];
            for (int i = 0; i < numbered.Length; i++) numbered[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return numbered;
        }
        if (maxLabel >= names.Count)
            throw new DataFileException(
                $"The labels in {directory} go up to {maxLabel} but {source} names only {names.Count} classes; add the missing names (one per line).");
        return names;
    }

    private static int Max(byte[] values)
    {
        int max = 0;
        foreach (var v in values) if (v > max) max = v;
        return max;
    }
}
