// Optimizers.swift — gradient descent on a list of parameters, with PyTorch's semantics.
//
// Contract: `step()` reads each parameter's `grad` and updates its values in place (the
// storage a module holds), in one pass of raw-pointer loops per parameter with no per-element
// allocation. Parameters without a gradient are skipped, as in PyTorch. Weight decay is L2:
// `weightDecay · p` is added to the gradient before anything else (not AdamW's decoupled
// decay). All state (momentum buffers, moments, step counts) lives in tensors exposed by name
// through `namedState`, so a checkpoint saves it and a resumed run continues exactly.

import Engine
import Foundation

/// Something that updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    /// The tensors updated in place by `step()`, in a fixed order (state names use their index).
    var parameters: [Tensor] { get }
    /// The step size; schedules change it between steps.
    var learningRate: Float { get set }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// The optimizer's state as named tensors ("3.exp_avg": state of parameter 3).
    var namedState: [(String, Tensor)] { get }
}

extension Optimizer {
    /// Clears the gradient of every parameter.
    public func zeroGrad() { for p in parameters { p.grad = nil } }

    /// Copies saved state into this optimizer's state tensors (shapes must match).
    /// - Throws: `StateDictError` when a state tensor is missing or has another shape, before
    ///   changing anything.
    public func load(state: [String: Tensor]) throws {
        let own = namedState
        let missing = own.map(\.0).filter { state[$0] == nil }
        if !missing.isEmpty { throw StateDictError.missingKeys(missing) }
        for (name, tensor) in own where state[name]!.shape != tensor.shape {
            throw StateDictError.shapeMismatch(name: name, expected: tensor.shape, found: state[name]!.shape)
        }
        for (name, tensor) in own { tensor.assign(state[name]!) }
    }
}

/// Stochastic gradient descent with optional (Nesterov) momentum, as PyTorch's `SGD`
/// with dampening 0:
///   g ← ∇p + λ p
///   b ← μ b + g                          (b starts at 0, so the first b is g)
///   d ← g + μ b  (Nesterov)  or  d ← b  (classical)
///   p ← p − η d
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    public let nesterov: Bool
    /// One momentum buffer b per parameter (empty when momentum is 0).
    public let momentumBuffers: [Tensor]

    /// - Parameters:
    ///   - parameters: the tensors to train.
    ///   - learningRate: η.
    ///   - momentum: μ (default 0: plain SGD).
    ///   - weightDecay: λ, L2 penalty added to the gradient (default 0).
    ///   - nesterov: Nesterov momentum (default false; needs momentum > 0).
    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0,
                nesterov: Bool = false) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0, "SGD: negative hyperparameter")
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        momentumBuffers = momentum == 0 ? [] : parameters.map { Tensor(zeros: $0.shape) }
    }

    public var namedState: [(String, Tensor)] {
        momentumBuffers.enumerated().map { ("\($0.offset).momentum_buffer", $0.element) }
    }

    public func step() {
        let (lr, mu, decay, nesterov) = (learningRate, momentum, weightDecay, nesterov)
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            precondition(grad.shape == parameter.shape, "SGD: gradient \(grad.shape) for \(parameter.shape)")
            let (p, g, n) = (parameter.data, grad.data, parameter.count)
            if mu == 0 {
                for i in 0..<n { p[i] -= lr * (g[i] + decay * p[i]) }
                continue
            }
            let b = momentumBuffers[index].data
            for i in 0..<n {
                let gi = g[i] + decay * p[i]
                b[i] = mu * b[i] + gi
                p[i] -= lr * (nesterov ? gi + mu * b[i] : b[i])
            }
        }
    }
}

/// Adam (Kingma & Ba 2015), as PyTorch's `Adam` (amsgrad off):
///   g ← ∇p + λ p
///   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   t ← t + 1
///   p ← p − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// (the bias corrections undo the zero start of m and v; ε is added after correcting v,
/// which is PyTorch's placement).
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// m: first-moment estimate per parameter.
    public let firstMoments: [Tensor]
    /// v: second-moment estimate per parameter.
    public let secondMoments: [Tensor]
    /// t: the number of updates each parameter has received (a one-value tensor each, so a
    /// checkpoint stores it with the moments; parameters skipped for lack of a gradient lag).
    public let stepCounts: [Tensor]

    /// - Parameters:
    ///   - parameters: the tensors to train.
    ///   - learningRate: η (default 1e-3).
    ///   - beta1: β₁, decay of the first moment (default 0.9).
    ///   - beta2: β₂, decay of the second moment (default 0.999).
    ///   - epsilon: ε (default 1e-8).
    ///   - weightDecay: λ, L2 penalty added to the gradient (default 0).
    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must be in [0, 1)")
        precondition(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0, "Adam: negative hyperparameter")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = parameters.map { Tensor(zeros: $0.shape) }
        secondMoments = parameters.map { Tensor(zeros: $0.shape) }
        stepCounts = parameters.map { _ in Tensor(zeros: []) }
    }

    public var namedState: [(String, Tensor)] {
        parameters.indices.flatMap { i in
            [("\(i).exp_avg", firstMoments[i]), ("\(i).exp_avg_sq", secondMoments[i]), ("\(i).step", stepCounts[i])]
        }
    }

    public func step() {
        let (lr, b1, b2, eps, decay) = (learningRate, beta1, beta2, epsilon, weightDecay)
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            precondition(grad.shape == parameter.shape, "Adam: gradient \(grad.shape) for \(parameter.shape)")
            stepCounts[index].data[0] += 1
            // Bias corrections in double precision: β₂ᵗ for t in the thousands is still accurate.
            let t = Double(stepCounts[index].data[0])
            let correction1 = 1 - Foundation.pow(Double(b1), t)
            let correction2 = 1 - Foundation.pow(Double(b2), t)
            let stepSize = Float(Double(lr) / correction1)
            let inverseSqrtCorrection2 = Float(1 / correction2.squareRoot())
            let (p, g, m, v, n) = (parameter.data, grad.data, firstMoments[index].data, secondMoments[index].data,
                                   parameter.count)
            for i in 0..<n {
                let gi = g[i] + decay * p[i]
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                p[i] -= stepSize * m[i] / (v[i].squareRoot() * inverseSqrtCorrection2 + eps)
            }
        }
    }
}

/// Rescales all gradients together so that their joint L2 norm is at most `maxNorm`
/// (PyTorch's `clip_grad_norm_`): with total = √(Σ‖g‖²), every gradient is multiplied by
/// min(1, maxNorm / (total + 1e-6)).
/// - Returns: the total norm before clipping (useful to log).
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var squares: Double = 0
    for parameter in parameters {
        guard let grad = parameter.grad else { continue }
        let g = grad.data
        for i in 0..<grad.count { squares += Double(g[i] * g[i]) }
    }
    let total = Float(squares.squareRoot())
    let scale = maxNorm / (total + 1e-6)
    if scale < 1 {
        for parameter in parameters {
            guard let grad = parameter.grad else { continue }
            let g = grad.data
            for i in 0..<grad.count { g[i] *= scale }
        }
    }
    return total
}
