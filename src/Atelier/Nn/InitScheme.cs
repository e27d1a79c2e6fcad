namespace Atelier.Nn;

/// <summary>How <see cref="Init.Apply"/> re-initialises the weights of Linear and Conv2d layers.</summary>
public enum InitScheme
{
    /// <summary>PyTorch's default for each layer (its ResetParameters).</summary>
    Default,
    /// <summary>Glorot normal: N(0, 2/(fan_in + fan_out)).</summary>
    XavierNormal,
    /// <summary>Glorot uniform: U(±√(6/(fan_in + fan_out))).</summary>
    XavierUniform,
    /// <summary>Kaiming normal, fan_in, ReLU gain: N(0, 2/fan_in).</summary>
    HeNormal,
    /// <summary>Kaiming uniform, fan_in, ReLU gain: U(±√(6/fan_in)).</summary>
    HeUniform,
    /// <summary>N(mean, normalStd²).</summary>
    Normal,
    /// <summary>All weights zero (a baseline that cannot break symmetry).</summary>
    Zeros,
    /// <summary>N(0, normalStd²) for Linear weights, He normal for Conv2d weights.</summary>
    ByLayerType,
}
