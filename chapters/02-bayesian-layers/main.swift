print("chapter 2: not yet written")
