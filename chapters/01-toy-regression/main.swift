print("chapter 1: not yet written")
