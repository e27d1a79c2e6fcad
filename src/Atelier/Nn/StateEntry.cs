using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// One named tensor of a module's state dict, named as PyTorch names it ("1.weight", "4.running_mean").
/// <see cref="IsInt64"/> marks integer state (batch norm's num_batches_tracked), held here as a float
/// (exact up to 2^24) and written as I64.
/// </summary>
public sealed record StateEntry(string Name, Tensor Tensor, bool IsInt64 = false);
