print("chapter 3: not yet written")
