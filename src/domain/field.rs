//! The fields a person fills in or an import names: one id for each, shared by validation, the
//! store's refusals and the app's forms, so an error lands under the field it is about.

macro_rules! fields {
    ($($id:ident = $name:literal),* $(,)?) => {
        /// A field of a record, as forms, CSV headers and error messages name it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum FieldId {
            $($id),*
        }

        impl FieldId {
            /// Its name in forms, CSV headers and messages.
            pub const fn name(self) -> &'static str {
                match self {
                    $(FieldId::$id => $name),*
                }
            }
        }
    };
}

fields! {
    Id = "id",
    ExternalId = "external_id",
    Name = "name",
    Email = "email",
    Phone = "phone",
    Company = "company",
    Account = "account",
    Domain = "domain",
    Street = "street",
    City = "city",
    Postcode = "postcode",
    Region = "region",
    Country = "country",
    Tags = "tags",
    Tag = "tag",
    Owner = "owner",
    Stage = "stage",
    Title = "title",
    Value = "value",
    Currency = "currency",
    Probability = "probability",
    ExpectedClose = "expected_close",
    LostReason = "lost_reason",
    Customer = "customer",
    Subject = "subject",
    Priority = "priority",
    Status = "status",
    Message = "message",
    Author = "author",
    Kind = "kind",
    Text = "text",
    Due = "due",
    Done = "done",
    Next = "next",
    NextDue = "next_due",
    Outcome = "outcome",
    Key = "key",
    Number = "number",
    Lines = "lines",
    Sku = "sku",
    Quantity = "quantity",
    UnitPrice = "unit_price",
}

impl std::fmt::Display for FieldId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq<&str> for FieldId {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}
