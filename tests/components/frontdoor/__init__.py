"""The front door's components: edge, domain, WAF, CDN."""
