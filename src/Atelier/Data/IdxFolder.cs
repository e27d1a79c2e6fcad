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
    /// <param name="directory">the folder with the four IDX files (gzipped or not).</param>
    /// <param name="defaultClassNames">used when there is no classes.txt (e.g. Fashion-MNIST's names).</param>
    /// <param name="expectedShape">when given, (train count, test count, rows, cols) the files must have.</param>
    public static (Dataset Train, Dataset Test) Load(string directory, IReadOnlyList<string>? defaultClassNames = null,
        (int Train, int Test, int Rows, int Cols)? expectedShape = null) =>
        Build(ReadFiles(directory), defaultClassNames, expectedShape);

    /// <summary>Reads the four files (each checked on its own, and hashed as it is read).</summary>
    public static IdxFolderFiles ReadFiles(string directory)
    {
        var missing = MissingFiles(directory);
        if (missing.Count > 0)
            throw new DataFileException(
                $"The folder {directory} lacks {string.Join(", ", missing)} (each may be gzipped as .gz); it needs the four IDX files of the dataset.");
        var trainImages = IdxReader.ReadImages(FindFile(directory, TrainImages)!, out var c0);
        var trainLabels = IdxReader.ReadLabels(FindFile(directory, TrainLabels)!, out var c1);
        var testImages = IdxReader.ReadImages(FindFile(directory, TestImages)!, out var c2);
        var testLabels = IdxReader.ReadLabels(FindFile(directory, TestLabels)!, out var c3);
        return new IdxFolderFiles(directory, trainImages, trainLabels, testImages, testLabels, [c0, c1, c2, c3]);
    }

    /// <summary>
    /// Checks the files against each other and against the dataset's meaning (counts match one to one, no empty set,
    /// one image size, every label a class), then makes the two datasets.
    /// </summary>
    public static (Dataset Train, Dataset Test) Build(IdxFolderFiles files, IReadOnlyList<string>? defaultClassNames = null,
        (int Train, int Test, int Rows, int Cols)? expectedShape = null)
    {
        string directory = files.Directory;
        var c = files.Contents;
        CheckPair(files.TrainImages, c[0].Path, files.TrainLabels, c[1].Path, "training", expectedShape?.Train, expectedShape);
        CheckPair(files.TestImages, c[2].Path, files.TestLabels, c[3].Path, "test", expectedShape?.Test, expectedShape);
        var (trainImages, testImages) = (files.TrainImages, files.TestImages);
        if (trainImages.Rows != testImages.Rows || trainImages.Cols != testImages.Cols)
            throw new DataFileException(
                $"{c[0].Path} holds images of {trainImages.Rows}x{trainImages.Cols} pixels but {c[2].Path} holds {testImages.Rows}x{testImages.Cols}; the training and test images must have the same size.");

        var classNames = ClassNames(files, defaultClassNames);
        return (new Dataset(trainImages.Pixels, files.TrainLabels, trainImages.Rows, trainImages.Cols, classNames, "train"),
                new Dataset(testImages.Pixels, files.TestLabels, testImages.Rows, testImages.Cols, classNames, "test"));
    }

    private static void CheckPair(IdxImages images, string imagesPath, byte[] labels, string labelsPath, string set,
        int? expectedCount, (int Train, int Test, int Rows, int Cols)? expectedShape)
    {
        // An empty set is a valid IDX file but no dataset: training on it or testing on it would report nothing.
        if (images.Count == 0)
            throw new DataFileException($"{imagesPath} declares an image count of 0; the {set} set needs at least one image.");
        if (images.Count != labels.Length)
            throw new DataFileException(
                $"{imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels; they must match one to one.");
        if (expectedCount is int count && images.Count != count)
            throw new DataFileException($"{imagesPath} holds {images.Count} images instead of the {count} of this dataset.");
        if (expectedShape is { } shape && (images.Rows != shape.Rows || images.Cols != shape.Cols))
            throw new DataFileException(
                $"{imagesPath} holds images of {images.Rows}x{images.Cols} pixels instead of the {shape.Rows}x{shape.Cols} of this dataset.");
    }

    private static IReadOnlyList<string> ClassNames(IdxFolderFiles files, IReadOnlyList<string>? defaults)
    {
        string classesPath = Path.Combine(files.Directory, ClassesFile);
        IReadOnlyList<string> names;
        string source;
        if (File.Exists(classesPath))
        {
            names = ReadClassesFile(classesPath);
            source = classesPath;
        }
        else if (defaults is not null)
        {
            names = defaults;
            source = "the dataset's class list";
        }
        else
            return NumberedClasses(files);
        CheckLabels(files.TrainLabels, files.Contents[1].Path, names.Count, source);
        CheckLabels(files.TestLabels, files.Contents[3].Path, names.Count, source);
        return names;
    }

    private static List<string> ReadClassesFile(string classesPath)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(classesPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException($"Cannot read {classesPath}: {MessageText.AsClause(e.Message)}.", e);
        }
        var names = new List<string>();
        foreach (var line in lines)
        {
            string name = line.Trim();
            if (name.Length == 0) continue;
            // Two classes of one name would make the reports and predictions ambiguous.
            if (names.Contains(name))
                throw new DataFileException($"{classesPath} names the class '{name}' twice; each line must name a different class.");
            names.Add(name);
        }
        if (names.Count == 0)
            throw new DataFileException($"{classesPath} names no class; write one class name per line, in label order.");
        return names;
    }

    private static void CheckLabels(byte[] labels, string labelsPath, int classCount, string source)
    {
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classCount)
                throw new DataFileException(
                    $"{labelsPath} holds label {labels[i]} (item {i}), but {source} names only {classCount} classes (labels 0 to {classCount - 1}).");
    }

    /// <summary>"0".."N-1" for the labels used; a label never used below the largest means the numbering is not the classes'.</summary>
    private static string[] NumberedClasses(IdxFolderFiles files)
    {
        var used = new bool[256];
        foreach (var v in files.TrainLabels) used[v] = true;
        foreach (var v in files.TestLabels) used[v] = true;
        int maxLabel = Math.Max(Max(files.TrainLabels), Max(files.TestLabels));
        for (int label = 0; label < maxLabel; label++)
            if (!used[label])
                throw new DataFileException(
                    $"The labels in {files.Contents[1].Path} and {files.Contents[3].Path} go up to {maxLabel} but never use {label}, so they are not class numbers 0 to {maxLabel}; add a {ClassesFile} naming the classes, one per line.");
        var numbered = new string[maxLabel + 1];
        for (int i = 0; i < numbered.Length; i++) numbered[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return numbered;
    }

    private static int Max(byte[] values)
    {
        int max = 0;
        foreach (var v in values) if (v > max) max = v;
        return max;
    }
}
