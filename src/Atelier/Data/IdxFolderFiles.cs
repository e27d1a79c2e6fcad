namespace Atelier.Data;

/// <summary>The four files of an IDX dataset folder, each read and checked on its own, not yet against each other.</summary>
/// <param name="Directory">the folder the files were read from.</param>
/// <param name="TrainImages">the training images.</param>
/// <param name="TrainLabels">the training labels.</param>
/// <param name="TestImages">the test images.</param>
/// <param name="TestLabels">the test labels.</param>
/// <param name="Contents">what each file decompressed to, in <see cref="IdxFolder.FileNames"/> order.</param>
public sealed record IdxFolderFiles(string Directory, IdxImages TrainImages, byte[] TrainLabels, IdxImages TestImages, byte[] TestLabels,
    IReadOnlyList<IdxContent> Contents);
