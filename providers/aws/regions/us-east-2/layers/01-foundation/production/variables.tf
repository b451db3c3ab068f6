# Both variables come from the generated clients.auto.tfvars.json (`clientctl render`; never edit it).
# The types declare only the attributes this layer reads; Terraform drops the rest of each rendered object.

variable "clients" {
  type = map(object({
    enabled = bool
    names = object({
      prefix           = string
      vpc              = string
      nat_gateways     = map(string)
      iam_roles        = map(string)
      log_groups       = map(string)
      kms_aliases      = map(string)
      internet_gateway = string
      subnets = object({
        public  = map(string)
        private = map(string)
        eks     = map(string)
      })
      route_tables = object({
        public  = string
        private = map(string)
        eks     = map(string)
      })
      security_groups = object({
        eks      = string
        database = string
        compute  = string
      })
      vpn = object({
        customer_gateway = string
        vpn_gateway      = string
        connection       = string
      })
    })
    network = object({
      vpc_cidr        = string
      nat_gateway_azs = list(string)
      subnets = object({
        public  = map(string)
        private = map(string)
        eks     = map(string)
      })
    })
    security = object({
      database_ports = list(number)
      custom_ports   = list(number)
    })
    vpn = object({
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
    tags = map(string)
  }))
  description = "Every client of this region and environment, resolved by clientctl and keyed by client name (= Terraform workspace)."
}

variable "settings" {
  type = object({
    layer  = string
    region = string
  })
  description = "Platform settings rendered by clientctl for this layer folder."
}
