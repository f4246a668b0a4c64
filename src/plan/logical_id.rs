//! Logical IDs: the one place resource names are made. They are a public
//! contract — a changed ID means CloudFormation replaces the resource — so each
//! depends only on the spec name it comes from, never on position or count.

/// `get-order` → `GetOrder`.
pub fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(|segment| {
            let mut chars = segment.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// `get-order` → `get_order`, for Terraform resource names.
pub fn snake(name: &str) -> String {
    name.replace('-', "_")
}

/// A resource generated for a spec name: `pascal(name) + suffix`.
pub fn of(name: &str, suffix: &str) -> String {
    format!("{}{suffix}", pascal(name))
}

/// `GET /orders/{id}` → `GetOrdersByIdRoute`-style stem `GetOrdersById`.
/// Path parameters read as `By<Name>` so `/orders/{id}` and `/orders/id`
/// stay distinct; a greedy `{proxy+}` reads `ByProxyAll`.
pub fn route_stem(method: &str, path: &str) -> String {
    let mut stem = pascal(&method.to_ascii_lowercase());
    if path == "/" {
        stem.push_str("Root");
    }
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(parameter) => {
                stem.push_str("By");
                match parameter.strip_suffix('+') {
                    Some(greedy) => {
                        stem.push_str(&pascal(greedy));
                        stem.push_str("All");
                    }
                    None => stem.push_str(&pascal(parameter)),
                }
            }
            None => stem.push_str(&pascal(segment)),
        }
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(of("get-order", "Function"), "GetOrderFunction");
        assert_eq!(of("orders", "Table"), "OrdersTable");
        assert_eq!(snake("get-order"), "get_order");
        assert_eq!(route_stem("GET", "/orders/{id}"), "GetOrdersById");
        assert_eq!(route_stem("POST", "/orders"), "PostOrders");
        assert_eq!(route_stem("ANY", "/{proxy+}"), "AnyByProxyAll");
        assert_eq!(route_stem("GET", "/"), "GetRoot");
        assert_eq!(route_stem("GET", "/v1.0/my_items"), "GetV10MyItems");
    }
}
