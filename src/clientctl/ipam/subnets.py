"""The subnet plan of a client VPC: public, private and EKS subnets per availability zone.

Computed once, here, and rendered into every layer's inputs (Terraform never recomputes it). Every tier
reserves ``max_azs`` slots up front and subnets are keyed by AZ, so adding an AZ only fills the next slot
and never moves an existing subnet: Terraform's cidrsubnets() documentation warns that changing existing
arguments renumbers networks, and operators keep hitting this (InvalidSubnet.Conflict, hashicorp/terraform
#33470; pulumi-awsx#520). Slots are packed aligned like hashicorp/subnets/cidr.
"""

from __future__ import annotations

from dataclasses import dataclass

from clientctl.ipam.cidr import IPv4Network, usable_addresses

TIERS: tuple[str, ...] = ("eks", "private", "public")


@dataclass(frozen=True)
class Subnet:
    tier: str
    az: str
    slot: int
    cidr: IPv4Network

    @property
    def usable(self) -> int:
        return usable_addresses(self.cidr)


class LayoutError(ValueError):
    pass


def _tier_newbits(eks: int, private: int, public: int) -> dict[str, int]:
    return {"eks": eks, "private": private, "public": public}


def slot_cidrs(
    vpc: IPv4Network, *, max_azs: int, eks_newbits: int, private_newbits: int, public_newbits: int
) -> dict[str, list[IPv4Network]]:
    """All reserved slots, per tier, in allocation order (aligned first-fit, like hashicorp/subnets)."""
    newbits = _tier_newbits(eks_newbits, private_newbits, public_newbits)
    cursor = int(vpc.network_address)
    end = int(vpc.broadcast_address)
    result: dict[str, list[IPv4Network]] = {}
    for tier in TIERS:
        prefix = vpc.prefixlen + newbits[tier]
        if prefix > 28:
            raise LayoutError(
                f"{tier} subnets of {vpc} would be /{prefix}; AWS subnets are /16 to /28 "
                f"(lower subnet_layout.{tier}_newbits or use larger VPCs)"
            )
        size = 1 << (32 - prefix)
        blocks = []
        for _ in range(max_azs):
            cursor = (cursor + size - 1) // size * size  # align
            if cursor + size - 1 > end:
                raise LayoutError(
                    f"{vpc} has no room for {max_azs} {tier} subnets of /{prefix} after the other tiers "
                    "(lower subnet_layout.max_azs or the newbits)"
                )
            blocks.append(IPv4Network((cursor, prefix)))
            cursor += size
        result[tier] = blocks
    return result


def plan(
    vpc: IPv4Network,
    azs: list[str],
    *,
    max_azs: int,
    eks_newbits: int,
    private_newbits: int,
    public_newbits: int,
) -> list[Subnet]:
    if len(azs) > max_azs:
        raise LayoutError(f"{len(azs)} availability zones requested; subnet_layout.max_azs is {max_azs}")
    slots = slot_cidrs(
        vpc,
        max_azs=max_azs,
        eks_newbits=eks_newbits,
        private_newbits=private_newbits,
        public_newbits=public_newbits,
    )
    return [Subnet(tier, az, i, slots[tier][i]) for tier in TIERS for i, az in enumerate(azs)]
