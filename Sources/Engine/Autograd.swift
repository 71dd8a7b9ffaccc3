// Autograd.swift — reverse-mode automatic differentiation, define-by-run.
//
// Every op computes its output, then calls `recordingGradient(of:pullback:)` with a closure
// that maps the gradient of the output to the gradients of its inputs. The pullback sits in
// the same function as the forward rule, so the derivative is read right under the math it
// differentiates. `backward()` walks the recorded graph in reverse topological order.

import Foundation

/// The record of one op application: its inputs and its pullback.
final class GradNode {
    let inputs: [Tensor]
    /// Maps d loss / d output to d loss / d input for each input (nil: no gradient needed).
    let pullback: (Tensor) -> [Tensor?]

    init(inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.pullback = pullback
    }
}

/// Whether ops record their pullbacks. Off inside `withoutGradient` and during `backward()`.
public enum GradientMode {
    @TaskLocal public static var isRecording = true
}

/// Runs `body` without recording gradients (evaluation, optimizer updates, pullbacks).
@inlinable
public func withoutGradient<T>(_ body: () throws -> T) rethrows -> T {
    try GradientMode.$isRecording.withValue(false, operation: body)
}

extension Tensor {
    /// True when some gradient must flow through this tensor: it is a parameter, or it was
    /// computed from one while recording.
    public var needsGradient: Bool { requiresGrad || node != nil }

    /// Attaches `pullback` to `self` when recording is on and an input needs a gradient.
    /// The pullback must not capture `self` (that would be a reference cycle): capture
    /// `detached()` values instead.
    @discardableResult
    public func recordingGradient(of inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        if GradientMode.isRecording && inputs.contains(where: { $0.needsGradient }) {
            node = GradNode(inputs: inputs, pullback: pullback)
        }
        return self
    }

    /// The same values (shared storage) cut off from the gradient history.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage)
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() { grad = nil }

    /// Back-propagates from this tensor. Without `seed` the tensor must hold one value (a loss),
    /// and the seed is 1. Gradients accumulate into `grad` of every leaf with `requiresGrad`.
    public func backward(seed: Tensor? = nil) {
        precondition(seed != nil || count == 1, "backward() without a seed needs a scalar, got \(shape)")
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed ?? Tensor(shape: shape, repeating: 1)]
        withoutGradient {
            for tensor in order.reversed() {
                guard let gradient = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                if let node = tensor.node {
                    let inputGradients = node.pullback(gradient)
                    precondition(inputGradients.count == node.inputs.count, "pullback returned wrong arity")
                    for (input, inputGradient) in zip(node.inputs, inputGradients) {
                        guard let inputGradient, input.needsGradient else { continue }
                        precondition(inputGradient.shape == input.shape,
                                     "gradient shape \(inputGradient.shape) for input \(input.shape)")
                        let key = ObjectIdentifier(input)
                        if let existing = pending[key] {
                            pending[key] = existing + inputGradient
                        } else {
                            pending[key] = inputGradient
                        }
                    }
                } else if tensor.requiresGrad {
                    tensor.accumulateGradient(gradient)
                }
            }
        }
    }

    func accumulateGradient(_ gradient: Tensor) {
        if let existing = grad {
            let (g, e) = (gradient.data, existing.data)
            for i in 0..<count { e[i] += g[i] }
        } else {
            grad = gradient.copy()
        }
    }

    /// Tensors reachable from `self` through recorded nodes, each after all of its inputs.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative post-order DFS: deep graphs (SDE solvers) must not overflow the stack.
        var stack: [(tensor: Tensor, expanded: Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.node?.inputs ?? [] where input.needsGradient && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}
