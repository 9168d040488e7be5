"""The toy assignment's checks: each function on hidden inputs, against the reference."""
from graders.checks import check
from graders.checks.calls import layer_job
from graders.checks.compare import Tally

from ..reference.toy import arith


def elementwise_check(name):
    """(rng, spec) -> (Job, judge) comparing the student's toy.arith.<name> with the reference's."""
    def make(rng, spec):
        cases = [{"args": [rng.standard_normal(shape)]} for shape in ((3,), (2, 5), (4, 1, 3))]

        def judge(outputs):
            tally = Tally(spec.tolerance)
            for i, case in enumerate(cases):
                expected = getattr(arith, name)(*case["args"])
                tally.add("%s of case %d" % (name, i), outputs.get("case%d/fwd" % i, name), expected)
            return tally.verdict()

        return layer_job("toy.arith.", name, cases), judge
    return make


double_check = check("double")(elementwise_check("double"))
square_check = check("square")(elementwise_check("square"))
