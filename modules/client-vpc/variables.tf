################################################################################
# Identity, names and tags (all rendered by clientctl)
################################################################################

variable "flow_logs_iam_role_name" {
  type        = string
  description = "Rendered `names.iam_roles.vpc_flow_logs`: IAM role the VPC flow-log service assumes."
}

variable "flow_logs_log_group_name" {
  type        = string
  description = "Rendered `names.log_groups.vpc_flow_logs`: CloudWatch log group receiving the flow logs."
}

variable "flow_logs_kms_alias_name" {
  type        = string
  description = "Rendered `names.kms_aliases.vpc_flow_logs`: alias of the KMS key encrypting the flow-log group (its Name tag is the alias without `alias/`)."
}

variable "flow_logs_retention_days" {
  type        = number
  description = "Retention of the flow-log group in days. clientctl does not render a retention yet; 365 satisfies checkov CKV_AWS_338 (at least one year)."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "flow_logs_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ..., 365, 400, ..., 3653)."
  }
}

variable "internet_gateway_name" {
  type        = string
  description = "Rendered `names.internet_gateway`."
}

variable "nat_gateway_names" {
  type        = map(string)
  description = "Rendered `names.nat_gateways`: NAT gateway name per AZ."
}

variable "route_table_names" {
  type = object({
    public  = string
    private = map(string)
    eks     = map(string)
  })
  description = "Rendered `names.route_tables`: the public route table, and the private and EKS route table per AZ."
}

variable "security_group_names" {
  type = object({
    eks      = string
    database = string
    compute  = string
  })
  description = "Rendered `names.security_groups` (eks, database, compute); their rules' Name tags append a suffix (`-self`, `-api`, `-<port>`, `-to-vpc`, `-https-out`)."
}

variable "subnet_names" {
  type = object({
    public  = map(string)
    private = map(string)
    eks     = map(string)
  })
  description = "Rendered `names.subnets`: subnet name per tier and AZ."
}

variable "tags" {
  type        = map(string)
  description = "Tags from modules/tagging (`module.tags.tags`), merged into every resource's tags."
}

variable "vpc_name" {
  type        = string
  description = "Rendered `names.vpc`."
}

variable "vpn_names" {
  type = object({
    customer_gateway = string
    vpn_gateway      = string
    connection       = string
  })
  description = "Rendered `names.vpn`: customer gateway, virtual private gateway and VPN connection (used only when `vpn.enabled`)."
}

################################################################################
# Network (rendered by clientctl: never recomputed here)
################################################################################

variable "nat_gateway_azs" {
  type        = list(string)
  description = "Rendered `network.nat_gateway_azs`: one AZ for the standard tier, every AZ for premium. Private and EKS route tables of an AZ without a NAT gateway use the first one."

  validation {
    condition     = length(var.nat_gateway_azs) > 0
    error_message = "At least one NAT gateway AZ is needed (private and EKS subnets route to the internet through it)."
  }
  validation {
    condition     = alltrue([for az in var.nat_gateway_azs : contains(keys(var.subnets.public), az) && contains(keys(var.nat_gateway_names), az)])
    error_message = "Every NAT gateway AZ needs a public subnet and a rendered NAT gateway name."
  }
}

variable "subnets" {
  type = object({
    public  = map(string)
    private = map(string)
    eks     = map(string)
  })
  description = "Rendered `network.subnets`: CIDR per tier, keyed by AZ (for_each keys, so adding an AZ never moves a subnet)."

  validation {
    condition = alltrue([
      for cidr in concat(values(var.subnets.public), values(var.subnets.private), values(var.subnets.eks)) : can(cidrnetmask(cidr))
    ])
    error_message = "Every subnet CIDR must be an IPv4 CIDR block."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "Rendered `network.vpc_cidr`."

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR block such as 10.100.0.0/16."
  }
}

################################################################################
# Security groups
################################################################################

variable "security" {
  type = object({
    database_ports = list(number)
    custom_ports   = list(number)
  })
  description = "Rendered `security`: database ports (database security group) and application ports (EKS and compute security groups), both reachable only from the VPC CIDR."
}

################################################################################
# Site-to-site VPN
################################################################################

variable "vpn" {
  type = object({
    enabled             = bool
    customer_gateway_ip = string
    bgp_asn             = number
    amazon_side_asn     = number
    static_routes_only  = bool
    local_network_cidr  = string
    tunnel1_inside_cidr = string
    tunnel2_inside_cidr = string
    description         = string
  })
  description = "Rendered `vpn` block. When enabled: customer gateway, VPN gateway attached to the VPC and a VPN connection; a static route to local_network_cidr when static_routes_only, BGP route propagation otherwise."

  validation {
    condition     = !var.vpn.enabled || (var.vpn.customer_gateway_ip != null && var.vpn.local_network_cidr != null)
    error_message = "An enabled VPN needs customer_gateway_ip and local_network_cidr."
  }
  validation {
    condition     = !var.vpn.enabled || var.vpn.static_routes_only || var.vpn.bgp_asn != null
    error_message = "A dynamic (BGP) VPN needs bgp_asn."
  }
}

variable "static_routes_default_bgp_asn" {
  type        = number
  description = "Customer gateway ASN sent for a static-routes VPN whose client has no vpn.bgp_asn (EC2 requires one; static routing never uses it). A private 2-byte ASN."
  default     = 65000

  validation {
    condition     = var.static_routes_default_bgp_asn >= 1 && var.static_routes_default_bgp_asn <= 4294967294 && floor(var.static_routes_default_bgp_asn) == var.static_routes_default_bgp_asn
    error_message = "static_routes_default_bgp_asn must be a whole ASN between 1 and 4294967294."
  }
}
