// Training module: the shared classification training loop (see chapters 3–5).
