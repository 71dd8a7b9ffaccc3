// TransposedConvolution.swift — the "deconvolution" of GAN generators, as the adjoint of conv2d.
//
// Contract: x [N, C_in, H, W], weight [C_in, C_out, KH, KW] (PyTorch's layout), bias [C_out]
//   → y [N, C_out, OH, OW],  OH = (H − 1)·stride − 2·padding + KH + outputPadding (OW likewise),
//   y[n, co, iy·s − p + i, ix·s − p + j] += Σ_ci x[n, ci, iy, ix] · weight[ci, co, i, j]   (then + bias[co]).
// That is exactly the transpose (adjoint) of conv2d with the same weight read as [OC = C_in, C = C_out, KH, KW]:
// ⟨conv2d(u, W), x⟩ = ⟨u, convTranspose2d(x, W)⟩. So the forward is conv2d's input-gradient kernel,
// and its backward is conv2d's forward and weight-gradient kernels. outputPadding (< stride) only picks
// which of the stride-many sizes that convolve back to H×W the output has; the extra rows get no input.
//
// Shape legend: N batch, C_in/C_out channels, H×W input, OH×OW output, KH×KW kernel.

/// Transposed 2-D convolution with autograd (PyTorch's `F.conv_transpose2d`):
/// x [N, C_in, H, W], weight [C_in, C_out, KH, KW], bias [C_out] (optional)
/// → [N, C_out, (H − 1)·stride − 2·padding + KH + outputPadding, (W − 1)·stride − 2·padding + KW + outputPadding].
public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0) -> Tensor {
    precondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[0],
                 "convTranspose2d: input \(x.shape) against weight \(weight.shape) ([C_in, C_out, KH, KW])")
    precondition(outputPadding >= 0 && outputPadding < stride,
                 "convTranspose2d: outputPadding \(outputPadding) must be in 0..<stride (\(stride))")
    let (n, outChannels) = (x.shape[0], weight.shape[1])
    let outHeight = (x.shape[2] - 1) * stride - 2 * padding + weight.shape[2] + outputPadding
    let outWidth = (x.shape[3] - 1) * stride - 2 * padding + weight.shape[3] + outputPadding
    precondition(outHeight > 0 && outWidth > 0, "convTranspose2d: empty output for input \(x.shape)")
    let outputShape = [n, outChannels, outHeight, outWidth]

    // forward: y = Aᵀ x with A = conv2d(·, W), i.e. conv2d's input-gradient kernel applied to x.
    let y = conv2dBackwardInput(x, weight: weight, inputShape: outputShape, stride: stride, padding: padding)
    if let bias {
        precondition(bias.shape == [outChannels], "convTranspose2d: bias \(bias.shape) for \(outChannels) channels")
        let pixels = outHeight * outWidth
        let (dst, b) = (y.data, bias.data)
        parallelFor(n * outChannels, costPerItem: pixels) { planes in
            for plane in planes {
                let shift = b[plane % outChannels]
                let p = dst + plane * pixels
                for q in 0..<pixels { p[q] += shift }
            }
        }
    }

    let (xv, wv) = (x.detached(), weight.detached())
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    // forward: y = Aᵀ x + b, with A u = conv2d(u, W), so
    //   dx = A dy = conv2d(dy, W),
    //   dW[ci, co, i, j] = Σ x[n, ci, iy, ix] · dy[n, co, iy·s − p + i, ix·s − p + j]
    //                    = conv2d's weight gradient with x in the role of "dy" and dy in the role of "input",
    //   db = Σ_{n, oy, ox} dy.
    return y.recordingGradient(of: inputs) { dy in
        var grads: [Tensor?] = [
            x.needsGradient ? conv2dForward(dy, weight: wv, bias: nil, stride: stride, padding: padding) : nil,
            weight.needsGradient ? conv2dBackwardWeight(xv, input: dy, weightShape: wv.shape, stride: stride, padding: padding) : nil,
        ]
        if let bias { grads.append(bias.needsGradient ? conv2dBackwardBias(dy) : nil) }
        return grads
    }
}
