"""``{% reblock "name" %}``: a block of the page, rendered a second time where the tag stands.

Django renders a block once, where it stands. The console shell states a page's heading once
(``{% block heading %}``, the ``<h1>``) and ``base.html`` writes it into ``<title>`` as well, so a page
says its name in one place. The tag renders the most specific definition of the block in the
template's inheritance chain (``{{ block.super }}`` works as in the block), or nothing when no
template of the chain defines it.
"""

from __future__ import annotations

from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def reblock(context: template.Context, name: str) -> SafeString | str:
    """``<title>{% reblock "heading" %} · …</title>``."""
    block_context: BlockContext | None = context.render_context.get(BLOCK_CONTEXT_KEY)
    block: BlockNode | None = None
    if block_context is not None:
        block = block_context.get_block(name)
    elif context.template is not None:  # a template that extends none: its own block, if it has it
        for node in context.template.nodelist.get_nodes_by_type(BlockNode):
            if isinstance(node, BlockNode) and node.name == name:
                block = node
                break
    if block is None:
        return ""
    # BlockNode.render takes the most specific definition from the block context, as for the block itself.
    return block.render(context)
