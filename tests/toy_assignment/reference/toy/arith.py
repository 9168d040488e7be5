"""Two elementwise functions students write: x: any shape -> the same shape."""


def double(x):
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return 2 * x
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****


def square(x):
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return x * x
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
