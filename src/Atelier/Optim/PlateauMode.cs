namespace Atelier.Optim;

/// <summary>Whether <see cref="ReduceLROnPlateau"/>'s metric should go down (a loss) or up (an accuracy).</summary>
public enum PlateauMode { Min, Max }

/// <summary>Whether an improvement must beat the best metric by a fraction of it (PyTorch's 'rel') or by a fixed amount ('abs').</summary>
public enum ThresholdMode { Relative, Absolute }
