namespace Atelier.Optim;

/// <summary>How <see cref="OneCycleLR"/> moves between rates: half a cosine or a straight line (PyTorch's 'cos' and 'linear').</summary>
public enum AnnealStrategy { Cos, Linear }
