// GradientCheck.swift — compares autograd gradients with central finite differences.
//
// The oracle every differentiable op is tested against: for a scalar L(x),
//   ∂L/∂x_i ≈ (L(x + h e_i) − L(x − h e_i)) / 2h,
// with an error of O(h²) from the Taylor series plus O(ε/h) from float32 rounding, so h is
// chosen around 1e-2 … 1e-3 and the comparison has a relative tolerance.

public struct GradientCheckResult: CustomStringConvertible {
    /// Largest |analytic − numeric| / (atol + rtol·|numeric|) over all checked entries; ≤ 1 passes.
    public var worstRatio: Float
    public var worstDescription: String
    public var passed: Bool { worstRatio <= 1 }
    public var description: String { "worst ratio \(worstRatio) at \(worstDescription)" }
}

/// Checks the gradient of `loss(inputs)` with respect to every input.
/// The loss must be deterministic in its inputs (fix any random noise before calling).
/// - Parameters:
///   - maxEntriesPerInput: checks at most this many entries per input (evenly spread), to keep big checks fast.
public func checkGradients(of inputs: [Tensor], step h: Float = 1e-2, atol: Float = 1e-3, rtol: Float = 2e-2,
                           maxEntriesPerInput: Int = 64, _ loss: ([Tensor]) -> Tensor) -> GradientCheckResult {
    for x in inputs { x.requiresGrad = true; x.grad = nil }
    let value = loss(inputs)
    precondition(value.count == 1, "gradient check needs a scalar loss, got \(value.shape)")
    value.backward()
    var result = GradientCheckResult(worstRatio: 0, worstDescription: "nothing checked")
    for (inputIndex, x) in inputs.enumerated() {
        let analytic = x.grad?.array ?? [Float](repeating: 0, count: x.count)
        let stride = Swift.max(1, x.count / maxEntriesPerInput)
        for i in Swift.stride(from: 0, to: x.count, by: stride) {
            let original = x.data[i]
            x.data[i] = original + h
            let plus = withoutGradient { loss(inputs).item }
            x.data[i] = original - h
            let minus = withoutGradient { loss(inputs).item }
            x.data[i] = original
            let numeric = (plus - minus) / (2 * h)
            let ratio = Swift.abs(analytic[i] - numeric) / (atol + rtol * Swift.abs(numeric))
            if ratio > result.worstRatio || ratio.isNaN {
                result.worstRatio = ratio.isNaN ? .infinity : ratio
                result.worstDescription = "input \(inputIndex) entry \(i): analytic \(analytic[i]) numeric \(numeric)"
            }
        }
    }
    return result
}
