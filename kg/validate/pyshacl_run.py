"""pySHACL, run the way kg needs it: fast where its cost grows with the graph.

Imported lazily (it imports pySHACL); see ``fast_paths`` for what is changed and why.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

import rdflib
from rdflib.namespace import SH

from kg.errors import InputError
from kg.progress import progress

#: The pySHACL and rdflib releases whose internals ``fast_paths`` was written against (and
#: tested with): elsewhere they are left alone and plain pySHACL runs, after a notice.
FAST_PATH_VERSIONS = {"pyshacl": ("0.40.",), "rdflib": ("7.",)}
_noticed: list[str] = []


def fast_paths_fit() -> str | None:
    """None when the installed pySHACL and rdflib are releases ``fast_paths`` fits; else why."""
    from importlib.metadata import version

    for package, prefixes in FAST_PATH_VERSIONS.items():
        installed = version(package)
        if not installed.startswith(prefixes):
            return (f"{package} {installed} is not a release kg's validation fast paths were "
                    f"written for ({', '.join(p + 'x' for p in prefixes)})")
    return None


def run_pyshacl(data_graph: rdflib.Graph, shapes_graph: rdflib.Graph,
                 show_progress: bool = True) -> rdflib.Graph:
    import pyshacl
    import pyshacl.errors

    total = count_shapes(shapes_graph) if show_progress else None
    try:
        with (progress("validating", total=total, unit="shape") if show_progress
              else contextlib.nullcontext(lambda _n: None)) as advance, \
                fast_paths(advance):
            _conforms, results_graph, text = pyshacl.validate(
                data_graph,
                shacl_graph=shapes_graph,
                inference="none",
                allow_warnings=True,
                allow_infos=True,
                abort_on_first=False,
            )
    except pyshacl.errors.ReportableRuntimeError as error:
        raise InputError(f"The SHACL shapes cannot be used: {error.message}") from None
    if not isinstance(results_graph, rdflib.Graph):  # pySHACL's ValidationFailure: a bad shape
        raise InputError(f"The SHACL shapes cannot be used: {text.strip()}")
    return results_graph


def count_shapes(shapes: rdflib.Graph) -> int:
    """About as many shapes as pySHACL will run: node shapes and property shapes."""
    return len(set(shapes.subjects(rdflib.RDF.type, SH.NodeShape))
               | set(shapes.subjects(SH.path, None)))


@contextlib.contextmanager
def fast_paths(advance: Callable[[int], object] = lambda _n: None) -> Iterator[None]:
    """Spare pySHACL work whose cost grows with the graph but whose result kg never reads.

    Each patch was found by profiling ``kg validate`` on the scale benchmarks (bench/README.md)
    and is undone on exit:

    - rdflib parses each SPARQL text once, not once per focus node: pySHACL hands a SPARQL
      constraint to rdflib as text for every focus node. (Constraints Oxigraph takes over,
      see kg.validate.sparql_constraints, no longer reach rdflib; any others still do.)
    - pySHACL looks up every shape parameter in a list of 40 constraint parameters, for every
      focus node a property shape is checked on; a frozenset gives the same answer by hash.
    - pySHACL writes a text description of every result, including the discarded ones of each
      ``sh:or`` branch; kg reads the results graph, never that text.
    - Printing an IRI (in descriptions and generic messages) made rdflib insert its namespace
      into a trie that is scanned on every insert. Every source URL brings a new namespace, so
      the cost grew quadratically with the graph. A namespace without a prefix prints as
      ``<IRI>`` whether or not it is in the trie, so those are printed without the insert.

    - pySHACL checks a node shape's property shapes one focus node at a time, and every call
      re-reads the property shape's parameters from the shapes graph and rebuilds its
      constraint components. A property shape's result for one node does not depend on the
      others, so each is called once with all the focus nodes (falling back to pySHACL's own
      loop when a value node repeats or recursion is possible, where counts could differ).

    ``advance`` is called as each shape is done, for the progress bar. The patches reach into
    pySHACL's internals, so they apply only to the releases in ``FAST_PATH_VERSIONS``; with
    any other, plain pySHACL runs (same results, slower) after a one-line notice.
    """
    unfit = fast_paths_fit()
    if unfit is not None:
        if unfit not in _noticed:
            _noticed.append(unfit)
            print(f"notice: {unfit}; validating with plain pySHACL (slower).", file=sys.stderr)
        yield
        return
    import pyshacl.constraints
    import pyshacl.shape
    from pyshacl.constraints.constraint_component import ConstraintComponent
    from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent
    from pyshacl.shape import Shape
    from rdflib.namespace import NamespaceManager, split_uri
    from rdflib.plugins.sparql import processor

    original_query = processor.SPARQLProcessor.query
    original_params = getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None)
    original_description = ConstraintComponent.make_v_result_description
    original_normalize = NamespaceManager.normalizeUri
    original_shape_validate = Shape.validate
    original_property_shape = PropertyConstraintComponent._evaluate_property_shape
    prepared: dict[tuple, object] = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in prepared:
                prepared[key] = processor.translateQuery(processor.parseQuery(strOrQuery),
                                                         base, initNs)
            strOrQuery = prepared[key]
        return original_query(self, strOrQuery, initBindings, initNs, base, DEBUG)

    def normalize(self, iri):
        try:
            namespace, _name = split_uri(iri)
        except ValueError:
            return original_normalize(self, iri)
        if self.store.prefix(rdflib.URIRef(namespace)) is None and not isinstance(
                iri, rdflib.Variable):
            return f"<{iri}>"
        return original_normalize(self, iri)

    def validate_shape(self, executor, target_graph, focus=None, _evaluation_path=None):
        outcome = original_shape_validate(self, executor, target_graph, focus, _evaluation_path)
        if _evaluation_path is None:  # a shape pySHACL's validator runs, not a nested one
            advance(1)
        return outcome

    def evaluate_property_shape(self, executor, property_shape, target_graph, focus_values,
                                recursive, evaluation_path):
        shape = self.shape.get_other_shape(property_shape)
        values = [value for values in focus_values.values() for value in values]
        if (not shape or not shape.is_property_shape or (recursive and shape in recursive)
                or len(set(values)) != len(values)):
            return original_property_shape(self, executor, property_shape, target_graph,
                                           focus_values, recursive, evaluation_path)
        if not values:
            return False, []
        conforms, reports = shape.validate(executor, target_graph, focus=values,
                                           _evaluation_path=evaluation_path[:])
        return not conforms, reports

    processor.SPARQLProcessor.query = query
    NamespaceManager.normalizeUri = normalize
    PropertyConstraintComponent._evaluate_property_shape = evaluate_property_shape
    Shape.validate = validate_shape
    pyshacl.shape.CONSTRAINT_PARAMS = (frozenset(pyshacl.constraints.ALL_CONSTRAINT_PARAMETERS),
                                       pyshacl.constraints.CONSTRAINT_PARAMETERS_MAP)
    ConstraintComponent.make_v_result_description = lambda *_args, **_kwargs: ""
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original_query
        ConstraintComponent.make_v_result_description = original_description
        NamespaceManager.normalizeUri = original_normalize
        Shape.validate = original_shape_validate
        PropertyConstraintComponent._evaluate_property_shape = original_property_shape
        if original_params is None:
            del pyshacl.shape.CONSTRAINT_PARAMS
        else:
            pyshacl.shape.CONSTRAINT_PARAMS = original_params
